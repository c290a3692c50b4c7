/**
 * A damaged read model is a disposable cache: at start it is found (PRAGMA quick_check, or
 * SQLite refusing the file), set aside under a timestamped name, logged, and rebuilt from
 * the event log. (Before: exit 1 with a stack trace naming no file.) All patients are SYNTHETIC.
 */
import { closeSync, openSync, readdirSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SYNTHETIC_PATIENTS } from '../scripts/synthetic-patients';
import { PatientProjector } from '../src/projections/patient.projector';
import { READ_MODEL_FILE } from '../src/projections/read-model.database';
import { SEEDED_NOW, seededDataDir } from './support/seeded-data-dir';
import { capturingLogger, startTestApp } from './support/test-app';

let dataDir: string;
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const file = () => join(dataDir, READ_MODEL_FILE);
const overwrite = (at: number, bytes: Buffer) => {
  const fd = openSync(file(), 'r+');
  writeSync(fd, bytes, 0, bytes.length, at);
  closeSync(fd);
};

it.each<[string, () => void]>([
  ['truncated to half', () => truncateSync(file(), Math.floor(statSync(file()).size / 2))],
  ['a bad header', () => overwrite(0, Buffer.from('SYNTHETIC damage'))],
  ['a page of noise in the middle of a table', () => overwrite(statSync(file()).size - 8192, Buffer.alloc(4096, 0xa5))],
])('given a read model with %s, sets it aside with a timestamped name, logs it, and rebuilds from the log', async (_name, damage) => {
  dataDir = await seededDataDir();
  damage();
  const logs = capturingLogger();

  const t = await startTestApp({ now: SEEDED_NOW, dataDir, logger: logs.logger });
  try {
    await t.app.get(PatientProjector).catchUp();

    const list = await t.request({ method: 'GET', url: '/v1/patients?asOf=2026-11-25', role: 'reporter' });
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: { subjectId: string }) => p.subjectId)).toEqual(SYNTHETIC_PATIENTS.map((p) => p.subjectId));
    const aside = readdirSync(dataDir).filter((name) => name.startsWith(`${READ_MODEL_FILE}.damaged-2026-11-25T12-00-00-000Z`));
    expect(aside).toContain(`${READ_MODEL_FILE}.damaged-2026-11-25T12-00-00-000Z`);
    const logged = logs.lines().filter((line) => line.msg === 'the read model is damaged: set aside, and rebuilt from the event log');
    expect(logged).toEqual([expect.objectContaining({ file: file(), setAside: expect.arrayContaining([join(dataDir, aside[0])]) })]);
    expect((await t.request({ method: 'GET', url: '/health', role: null })).body).toMatchObject({ status: 'ok', readModel: { caughtUp: true } });
  } finally {
    await t.close();
  }
});
