import { request } from 'node:http';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { patientStreamId } from '../src/event-store/patient-stream';
import { EVENTS_FILE, SqliteEventStore } from '../src/event-store/sqlite/sqlite-event-store';
import { READ_MODEL_FILE } from '../src/projections/read-model.database';
import { enrolled, resetEventIds } from '../src/domain/testing/journey.fixtures';
import { startNodeProcess, type NodeProcess } from './support/node-process';

/** A synthetic key for this test only. */
const EMITTER_KEY = 'test-emitter-key-shutdown-01';

/** One connection per request, so a request is either answered or refused whole, never cut on a reused socket. */
function post(port: number, path: string, body: unknown): Promise<number | 'no answer'> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: { authorization: `Bearer ${EMITTER_KEY}`, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve('no answer'));
    });
    req.on('error', () => resolve('no answer'));
    req.end(JSON.stringify(body));
  });
}

/**
 * The service as it runs in production, in its own process on its embedded store, is sent
 * SIGTERM while clients keep appending: it finishes what it took in, refuses the rest,
 * closes the store and exits by itself; no acknowledged append is missing afterwards.
 */
describe('service stopped with SIGTERM while appends arrive', () => {
  let dataDir: string;
  let service: NodeProcess | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'graceful-shutdown-'));
    resetEventIds();
  });
  afterEach(() => {
    service?.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged append, stores none it refused, and exits on its own', async () => {
    // Given the service running, and 8 clients appending enrolments one after another
    service = startNodeProcess('src/main.ts', [], { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, API_KEYS: `emitter:${EMITTER_KEY}`, LOG_LEVEL: 'info' });
    const listening = (lines: readonly string[]) => lines.find((line) => line.includes('"treatment timeline service listening"'));
    await service.waitUntil((lines) => listening(lines) !== undefined);
    const port = (JSON.parse(listening(service.lines)!) as { port: number }).port;
    const outcomes: { subjectId: string; eventId: string; answer: number | 'no answer' }[] = [];
    let acknowledged = 0;
    let onAcknowledged = () => {};
    const fiftyAcknowledged = new Promise<void>((resolve) => (onAcknowledged = () => ++acknowledged === 50 && resolve()));
    const client = async (c: number) => {
      for (let i = 0; ; i++) {
        const subjectId = `SYN-STOP-${c}-${i}`;
        const event = enrolled('2021-03-01');
        const answer = await post(port, `/v1/patients/${subjectId}/events`, event);
        outcomes.push({ subjectId, eventId: event.eventId, answer });
        if (answer !== 201) return;
        onAcknowledged();
      }
    };
    const clients = Promise.all(Array.from({ length: 8 }, (_, c) => client(c)));

    // When SIGTERM arrives after 50 acknowledged appends
    await fiftyAcknowledged;
    service.child.kill('SIGTERM');
    await clients;
    const { code, signal } = await service.exited;

    // Then it exited by itself (Nest re-raises the signal once closed), every client was stopped,
    const answers = outcomes.map((o) => o.answer);
    expect(code === 0 || signal === 'SIGTERM').toBe(true);
    expect(answers.filter((a) => a !== 201)).toHaveLength(8);
    expect(answers.every((a) => a === 201 || a === 503 || a === 'no answer')).toBe(true);
    // and closed both databases (SQLite folds a WAL back and removes it when the last connection closes; a killed process leaves it)
    expect([EVENTS_FILE, READ_MODEL_FILE].filter((file) => existsSync(join(dataDir, `${file}-wal`)))).toEqual([]);
    // and the store, reopened, holds every acknowledged append and none of the refused ones
    const store = await SqliteEventStore.open({ dataDir });
    try {
      for (const { subjectId, eventId, answer } of outcomes) {
        const stored = (await store.readStream(patientStreamId(subjectId))).map((e) => e.eventId);
        if (answer === 201) expect(stored).toEqual([eventId]);
        if (answer === 503) expect(stored).toEqual([]);
      }
    } finally {
      await store.close();
    }
    expect(answers.filter((a) => a === 201).length).toBeGreaterThanOrEqual(50);
  });
});
