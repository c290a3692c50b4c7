/**
 * A read model follows one log: if the event file is emptied or replaced, or ends before
 * the read model's checkpoint, the service does not start on it, and says which files.
 * (Before: an emptied events.sqlite started with /health ok and a list of 2,000 patients
 * that all answered 404, and new events got positions below the checkpoint and never
 * appeared.) All patients are SYNTHETIC.
 */
import Database from 'better-sqlite3';
import { renameSync, rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { SYNTHETIC_PATIENTS } from '../scripts/synthetic-patients';
import { EVENTS_FILE } from '../src/event-store/sqlite/sqlite-event-store';
import { PatientProjector } from '../src/projections/patient.projector';
import { READ_MODEL_FILE } from '../src/projections/read-model.database';
import { ReadModelMismatchError } from '../src/projections/read-model.errors';
import { SEEDED_NOW, seededDataDir } from './support/seeded-data-dir';
import { startTestApp } from './support/test-app';

let dataDir: string;
beforeEach(async () => {
  dataDir = await seededDataDir();
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const readModelRows = () => {
  const db = new Database(join(dataDir, READ_MODEL_FILE), { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM patient').pluck().get();
  } finally {
    db.close();
  }
};

it.each([
  ['emptied to 0 bytes while stopped', () => truncateSync(join(dataDir, EVENTS_FILE), 0), /the log's identity is sqlite:\w+, the read model's rows came from sqlite:\w+/],
  [
    'cut short (its last events gone, as in a restore of an older backup)',
    () => {
      const db = new Database(join(dataDir, EVENTS_FILE));
      db.prepare('DELETE FROM events WHERE position > (SELECT max(position) - 3 FROM events)').run();
      db.close();
    },
    /the log ends at position \d+, the read model had seen it up to \d+/,
  ],
])('given the event file %s, refuses to start, naming both files, and leaves the read model as it was', async (_name, damage, reason) => {
  damage();

  const started = startTestApp({ now: SEEDED_NOW, dataDir });

  const error = await started.then(
    (t) => t.close().then(() => null),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReadModelMismatchError);
  expect((error as ReadModelMismatchError).files).toEqual({ eventLog: join(dataDir, EVENTS_FILE), readModel: join(dataDir, READ_MODEL_FILE) });
  expect((error as Error).message).toContain(join(dataDir, EVENTS_FILE));
  expect((error as Error).message).toContain(join(dataDir, READ_MODEL_FILE));
  expect((error as Error).message).toMatch(reason);
  expect(readModelRows()).toBe(SYNTHETIC_PATIENTS.length);
});

it('given the emptied log and the read model moved aside, as the message says, starts and lists what the log holds, new events included', async () => {
  truncateSync(join(dataDir, EVENTS_FILE), 0);
  renameSync(join(dataDir, READ_MODEL_FILE), join(dataDir, `${READ_MODEL_FILE}.aside`));

  const t = await startTestApp({ now: SEEDED_NOW, dataDir });
  try {
    expect((await t.request({ method: 'GET', url: '/v1/patients?asOf=2026-11-25', role: 'reporter' })).body.total).toBe(0);
    const enrolment = SYNTHETIC_PATIENTS[0].events[0];
    expect((await t.request({ method: 'POST', url: '/v1/patients/SYN-NEW/events', role: 'emitter', body: enrolment })).status).toBe(201);
    await t.app.get(PatientProjector).catchUp();

    const list = await t.request({ method: 'GET', url: '/v1/patients?asOf=2026-11-25', role: 'reporter' });
    expect(list.body.items.map((p: { subjectId: string }) => p.subjectId)).toEqual(['SYN-NEW']);
    expect((await t.request({ method: 'GET', url: '/health', role: null })).body).toMatchObject({ status: 'ok', readModel: { caughtUp: true } });
  } finally {
    await t.close();
  }
});

it('given the same log, starts as before: the identity recorded with the rows is the store\'s', async () => {
  const t = await startTestApp({ now: SEEDED_NOW, dataDir });
  try {
    expect((await t.request({ method: 'GET', url: '/v1/patients?asOf=2026-11-25', role: 'reporter' })).body.total).toBe(SYNTHETIC_PATIENTS.length);
  } finally {
    await t.close();
  }
});
