/**
 * The documented start command, `npm start`, stopped the way a supervisor or a terminal
 * stops it: SIGTERM to the npm process. The service must stop with it (not be left
 * running as an orphan that keeps the store's lock and acknowledges writes), so the next
 * start finds the store free. `npm start` builds first, so this test takes a while; it
 * waits on the log line and on the exit, never on a length of time. Keys are synthetic.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../src/event-store/sqlite/sqlite-event-store';
import { startProcess, type NodeProcess } from './support/node-process';

const LISTENING = '"treatment timeline service listening"';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start, stopped with SIGTERM to npm', () => {
  let dataDir: string;
  let npm: NodeProcess | undefined;
  let servicePid: number | undefined;

  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'process-npm-start-'))));
  afterEach(() => {
    // Whatever a failing run left behind.
    npm?.child.kill('SIGKILL');
    if (servicePid !== undefined && alive(servicePid)) process.kill(servicePid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops the node process too, which closes the store and logs the stop, so the next start finds the store free', async () => {
    // Given the service started with the documented command
    npm = startProcess('npm', ['start'], { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, API_KEYS: 'emitter:test-emitter-key-npm-start-01', LOG_LEVEL: 'info' });
    await npm.waitUntil((lines) => lines.some((line) => line.includes(LISTENING)));
    servicePid = (JSON.parse(npm.lines.find((line) => line.includes(LISTENING))!) as { pid: number }).pid;
    expect(alive(servicePid)).toBe(true);

    // When npm is sent SIGTERM, and has exited (its 'exit', not 'close': an orphan would hold the output pipes open)
    const npmExited = new Promise((resolve) => npm!.child.once('exit', resolve));
    npm.child.kill('SIGTERM');
    await npmExited;

    // Then the service process is gone, having logged its stop,
    expect(alive(servicePid)).toBe(false);
    expect(npm.lines).toContainEqual(expect.stringContaining('"reason":"stopped on SIGTERM"'));
    // and the store opens again at once (no StoreLockedError)
    await (await SqliteEventStore.open({ dataDir })).close();
  }, 240_000);
});
