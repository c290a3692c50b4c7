/**
 * A full disk: writes answer 503, reads go on from what the service has, /health says
 * 503 storage-full, and the service takes writes again once space is freed, with no
 * restart. (Before: the read model's flush threw SQLITE_FULL from a setImmediate and the
 * process exited.)
 *
 * The disk is filled deterministically with SQLite's max_page_count on each connection,
 * which raises the same SQLITE_FULL a full disk does, at the same places; freeing space is
 * raising it again. No tmpfs variant: mounting one needs privileges the build machines do
 * not promise, and its timing (which write meets the full disk first) varies run to run.
 * All patients are SYNTHETIC.
 */
import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { SYNTHETIC_PATIENTS } from '../scripts/synthetic-patients';
import { EVENT_STORE } from '../src/event-store/event-store.port';
import type { SqliteEventStore } from '../src/event-store/sqlite/sqlite-event-store';
import { PatientProjector, READ_MODEL_DB } from '../src/projections/patient.projector';
import { SEEDED_NOW, seededDataDir } from './support/seeded-data-dir';
import { startTestApp, type TestApp } from './support/test-app';

const enrolment = SYNTHETIC_PATIENTS[0].events[0];
const ROOM = 1_000_000_000;
/** Bounds every loop that fills a file: far more appends than a page of headroom takes. */
const AT_MOST = 500;

let t: TestApp;
let dataDir: string;
let store: SqliteEventStore;
let readModel: Database.Database;
let projector: PatientProjector;

beforeAll(async () => {
  dataDir = await seededDataDir();
  t = await startTestApp({ now: SEEDED_NOW, dataDir });
  store = t.app.get<SqliteEventStore>(EVENT_STORE);
  readModel = t.app.get<Database.Database>(READ_MODEL_DB);
  projector = t.app.get(PatientProjector);
});
afterAll(async () => {
  await t.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const enrol = (subjectId: string) =>
  t.request({ method: 'POST', url: `/v1/patients/${subjectId}/events`, role: 'emitter', body: { ...enrolment, eventId: randomUUID() } });
const health = () => t.request({ method: 'GET', url: '/health', role: null });
/** Lets the projector take what the log delivered: turns of the event loop, not time. */
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};
const listTotal = async () => (await t.request({ method: 'GET', url: '/v1/patients?asOf=2026-11-25&limit=1', role: 'reporter' })).body.total as number;

it('given a full disk, answers writes with 503, reads from what it has, reports storage-full, and recovers once space is freed', async () => {
  const acknowledged: string[] = [];

  // Given the read model's file can grow no more: appends are still stored, the projector cannot record them.
  readModel.pragma(`max_page_count = ${readModel.pragma('page_count', { simple: true }) as number}`);
  for (let n = 0; n < AT_MOST && (await projector.status()).fault !== 'storage-full'; n++) {
    const subjectId = `SYN-RM-${n}`;
    expect((await enrol(subjectId)).status).toBe(201);
    acknowledged.push(subjectId);
    await turns(4);
  }
  expect(await projector.status()).toMatchObject({ state: 'failed', fault: 'storage-full' });

  // And the event store's file too: four writers append until each is refused.
  const { pageCount } = store.setMaxPageCount(1);
  expect(store.setMaxPageCount(pageCount).maxPageCount).toBe(pageCount);
  const refusals = await Promise.all(
    [0, 1, 2, 3].map(async (writer) => {
      for (let n = 0; n < AT_MOST; n++) {
        const subjectId = `SYN-W${writer}-${n}`;
        const response = await enrol(subjectId);
        if (response.status !== 201) return { status: response.status, code: response.body.code };
        acknowledged.push(subjectId);
      }
      return { status: 201, code: 'never refused' };
    }),
  );

  expect(refusals).toEqual([0, 1, 2, 3].map(() => ({ status: 503, code: 'STORAGE_FULL' })));
  const whileFull = await health();
  expect(whileFull.status).toBe(503);
  expect(whileFull.body).toMatchObject({ status: 'storage-full', store: 'full', readModel: { state: 'failed', fault: 'storage-full' } });
  // Reads go on: a record from its stream, and the list from the rows the read model has.
  const record = await t.request({ method: 'GET', url: `/v1/patients/${acknowledged[acknowledged.length - 1]}`, role: 'reporter' });
  expect(record.status).toBe(200);
  expect(await listTotal()).toBeGreaterThanOrEqual(5);

  // When space is freed and a health probe runs, the store and the read model write again, with no restart.
  store.setMaxPageCount(ROOM);
  readModel.pragma(`max_page_count = ${ROOM}`);
  await health();
  await projector.catchUp();

  const recovered = await health();
  expect(recovered.status).toBe(200);
  expect(recovered.body).toMatchObject({ status: 'ok', store: 'reachable', readModel: { state: 'running', caughtUp: true, lagPositions: 0 } });
  expect((await enrol('SYN-AFTER')).status).toBe(201);
  await projector.catchUp();
  // Every acknowledged patient is listed, and none that was refused.
  expect(await listTotal()).toBe(SYNTHETIC_PATIENTS.length + acknowledged.length + 1);
});
