/**
 * Damaged stored data is the server's fault: a stored event or read-model value that is
 * not JSON answers 500 STORED_DATA_CORRUPT, names no stored content, is logged once with
 * its stream and position, and a damaged event makes /health say so. (Before: 400
 * MALFORMED_BODY "the body is not acceptable JSON" to GETs with no body, echoing the data.)
 * All patients are SYNTHETIC.
 */
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { patientStreamId } from '../src/event-store/patient-stream';
import { EVENTS_FILE } from '../src/event-store/sqlite/sqlite-event-store';
import { READ_MODEL_FILE } from '../src/projections/read-model.database';
import { SEEDED_NOW, seededDataDir } from './support/seeded-data-dir';
import { capturingLogger, startTestApp, type TestApp } from './support/test-app';

const MARK = 'SYNTHETIC-STORED-FRAGMENT';
let dataDir: string;
let t: TestApp;
let logs: ReturnType<typeof capturingLogger>;
let damagedPosition: number;

beforeAll(async () => {
  dataDir = await seededDataDir();
  const events = new Database(join(dataDir, EVENTS_FILE));
  damagedPosition = events.prepare('SELECT min(position) FROM events WHERE stream_id = ?').pluck().get(patientStreamId('SYN-002')) as number;
  events.prepare('UPDATE events SET data = ? WHERE position = ?').run(`{"term": "${MARK}`, damagedPosition);
  events.close();
  const readModel = new Database(join(dataDir, READ_MODEL_FILE));
  readModel.prepare(`UPDATE patient_facts SET facts = ?, aes = ? WHERE subject_id = 'SYN-001'`).run(`{"subjectId": "${MARK}`, `[${MARK}`);
  readModel.prepare(`UPDATE patient SET ae_tuples = ? WHERE subject_id = 'SYN-001'`).run(`[[${MARK}`);
  readModel.close();
  logs = capturingLogger();
  t = await startTestApp({ now: SEEDED_NOW, dataDir, logger: logs.logger });
});
afterAll(async () => {
  await t.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const expectServerFault = (response: { status: number; body: any; headers: Record<string, unknown> }) => {
  expect({ status: response.status, code: response.body?.code }).toEqual({ status: 500, code: 'STORED_DATA_CORRUPT' });
  expect(response.headers['content-type']).toContain('application/problem+json');
  expect(JSON.stringify(response.body)).not.toContain(MARK);
  expect(JSON.stringify(response.body)).not.toMatch(/JSON at position|Unexpected token|not valid JSON/);
};

describe('a damaged read-model value', () => {
  it.each([
    ['the patient list', '/v1/patients?asOf=2026-11-25'],
    ['the AE export', '/v1/reports/exports/ae?asOf=2026-11-25'],
    ['the ADTTE export', '/v1/reports/exports/adtte?asOf=2026-11-25&format=json'],
    ['the AE report', '/v1/reports/adverse-events?asOf=2026-11-25'],
  ])('makes %s answer 500 STORED_DATA_CORRUPT, not 400, echoing nothing stored', async (_name, url) => {
    expectServerFault(await t.request({ method: 'GET', url, role: 'reporter' }));
  });
});

describe('a damaged stored event', () => {
  it('answers 500 STORED_DATA_CORRUPT to reads of its stream, logs its stream and position once, and /health reports it', async () => {
    for (const url of ['/v1/patients/SYN-002', '/v1/patients/SYN-002/timeline', '/v1/patients/SYN-002/events']) {
      expectServerFault(await t.request({ method: 'GET', url, role: 'auditor' }));
    }

    const health = await t.request({ method: 'GET', url: '/health', role: null });

    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'damaged', store: 'reachable', eventLog: { damagedEvents: 1 } });
    const reports = logs.lines().filter((line) => line.position === damagedPosition);
    expect(reports).toEqual([expect.objectContaining({ streamId: patientStreamId('SYN-002'), position: damagedPosition, field: 'data' })]);
    expect(JSON.stringify(logs.lines())).not.toContain(MARK);
  });

  it('leaves the other patients readable', async () => {
    const record = await t.request({ method: 'GET', url: '/v1/patients/SYN-003?asOf=2026-11-25', role: 'reporter' });
    expect(record.status).toBe(200);
    expect(record.body.subjectId).toBe('SYN-003');
  });

});
