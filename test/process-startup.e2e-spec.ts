/**
 * The service as it runs in production, in its own process, when it cannot start: one
 * line on stderr naming the cause and the file or address, no stack trace, the exit code
 * of the README's table, and a log line as it stops. Each test waits for the process to
 * exit. Keys are synthetic.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_CODES } from '../src/common/startup/startup-error';
import { SqliteEventStore } from '../src/event-store/sqlite/sqlite-event-store';
import { startNodeProcess } from './support/node-process';

const API_KEYS = 'emitter:test-emitter-key-startup-01';

let dataDir: string;
beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'process-startup-'))));
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/** Starts the service with the environment given, and waits for it to end. */
async function runUntilExit(env: Record<string, string>) {
  const service = startNodeProcess('src/main.ts', [], { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, API_KEYS, LOG_LEVEL: 'info', ...env });
  const { code } = await service.exited;
  return { code, stderr: service.stderr(), log: service.lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>) };
}

function expectOneClearLine(stderr: string, ...mentions: string[]) {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^treatment timeline service failed to start: /);
  for (const text of mentions) expect(lines[0]).toContain(text);
  expect(stderr).not.toMatch(/^\s+at /m);
}

function listenOnAFreePort(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

describe('start-up failures', () => {
  it(`a data directory another process holds: exit ${EXIT_CODES.STORE_LOCKED}, naming the directory`, async () => {
    // Given another process holding the store (here, this one)
    const holder = await SqliteEventStore.open({ dataDir });
    try {
      // When the service starts on the same data directory
      const { code, stderr, log } = await runUntilExit({});

      // Then it says which directory is in use, and stops with the documented code
      expect(code).toBe(EXIT_CODES.STORE_LOCKED);
      expectOneClearLine(stderr, dataDir, 'in use by another process');
      expect(log).toContainEqual(expect.objectContaining({ msg: 'treatment timeline service stopped', exitCode: EXIT_CODES.STORE_LOCKED }));
    } finally {
      await holder.close();
    }
  });

  it(`an EventStoreDB that refuses the connection: exit ${EXIT_CODES.STORE_UNREACHABLE}, naming its address`, async () => {
    // Given an address where nothing listens (a port just freed)
    const server = await listenOnAFreePort();
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));

    const { code, stderr, log } = await runUntilExit({ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: `esdb://synthetic-user:synthetic-password@127.0.0.1:${port}?tls=false` });

    expect(code).toBe(EXIT_CODES.STORE_UNREACHABLE);
    expectOneClearLine(stderr, `EventStoreDB at 127.0.0.1:${port}`, 'cannot be reached');
    expect(stderr).not.toContain('synthetic-password');
    expect(log).toContainEqual(expect.objectContaining({ msg: 'treatment timeline service stopped', exitCode: EXIT_CODES.STORE_UNREACHABLE }));
  });

  it(`a port another process listens on: exit ${EXIT_CODES.CANNOT_LISTEN}, naming host and port, and the store is let go`, async () => {
    const server = await listenOnAFreePort();
    const port = (server.address() as AddressInfo).port;
    try {
      const { code, stderr } = await runUntilExit({ PORT: String(port) });

      expect(code).toBe(EXIT_CODES.CANNOT_LISTEN);
      expectOneClearLine(stderr, `127.0.0.1:${port}`, 'taken');
      // The store it had opened was closed: it opens again at once.
      await (await SqliteEventStore.open({ dataDir })).close();
    } finally {
      server.close();
    }
  });

  it(`an API key file that is not JSON: exit ${EXIT_CODES.CONFIGURATION}, naming the file`, async () => {
    writeFileSync(join(dataDir, 'api-keys.json'), '{ "reporter": ');

    const { code, stderr } = await runUntilExit({ API_KEYS: '' });

    expect(code).toBe(EXIT_CODES.CONFIGURATION);
    expectOneClearLine(stderr, join(dataDir, 'api-keys.json'));
  });

  it(`an invalid configuration: exit ${EXIT_CODES.CONFIGURATION}, naming each problem`, async () => {
    const { code, stderr } = await runUntilExit({ PORT: 'eighty', REQUEST_TIMEOUT_MS: '1000', HEADERS_TIMEOUT_MS: '2000' });

    expect(code).toBe(EXIT_CODES.CONFIGURATION);
    expect(stderr).toContain('PORT must be an integer');
    expect(stderr).toContain('HEADERS_TIMEOUT_MS (2000) must not exceed REQUEST_TIMEOUT_MS (1000)');
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});
