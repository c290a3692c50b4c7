/**
 * Scale-out on EventStoreDB: several service instances on one store, each with its own
 * read model and caches, as users who outgrow one machine run it. Through the real
 * @eventstore/db-client over gRPC to the in-process stand-in. SYNTHETIC patients only.
 */
import { PatientsService } from '../src/api/patients/patients.service';
import { checkHistory } from '../src/domain/decide/decide';
import { effectiveHistory } from '../src/domain/history/effective-history';
import { aeReported, aeUpdated, died, enrolled, followUp, gpbmcInfused, stemCellsInfused, engrafted, relapsed } from '../src/domain/testing/journey.fixtures';
import type { ClinicalEvent } from '../src/domain/events/clinical-event';
import { EVENT_STORE, type EventStore } from '../src/event-store/event-store.port';
import { EsdbStandIn } from '../src/event-store/eventstoredb/testing/esdb-stand-in';
import { patientStreamId, toHistoryEntry } from '../src/event-store/patient-stream';
import { PatientProjector } from '../src/projections/patient.projector';
import { startTestApp, type TestApp } from './support/test-app';

const NOW = '2026-06-01T12:00:00.000Z';
const PATIENTS = ['SYN-SCALE-01', 'SYN-SCALE-02', 'SYN-SCALE-03', 'SYN-SCALE-04'];

let standIn: EsdbStandIn;
let connectionString: string;
const apps: TestApp[] = [];

async function instance(): Promise<TestApp> {
  const app = await startTestApp({ now: NOW, env: { EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: connectionString } });
  apps.push(app);
  return app;
}

const post = (app: TestApp, subjectId: string, body: unknown) => app.request({ method: 'POST', url: `/v1/patients/${subjectId}/events`, role: 'emitter', body });
const get = (app: TestApp, url: string) => app.request({ method: 'GET', url, role: 'reporter' });

/** Every patient's list entry and query entry as one instance's read model gives them, once it holds the whole log. */
async function readModelOf(app: TestApp) {
  await app.app.get(PatientProjector).catchUp();
  const list = await get(app, '/v1/patients?asOf=2026-06-01&limit=500');
  const queries = await get(app, '/v1/queries?asOf=2026-06-01&limit=500');
  expect([list.status, queries.status]).toEqual([200, 200]);
  return { list: list.body, queries: queries.body };
}

beforeAll(async () => {
  standIn = new EsdbStandIn();
  ({ connectionString } = await standIn.start());
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await standIn?.stop();
});

it('given two instances and concurrent writers on the same patients through both, breaks no rule, stores each acknowledged event once, and every read model converges, a third started later too', async () => {
  const a = await instance();
  const b = await instance();
  for (const [i, subjectId] of PATIENTS.entries()) {
    expect((await post(i % 2 === 0 ? a : b, subjectId, [enrolled('2026-01-05'), gpbmcInfused('2026-01-20'), stemCellsInfused('2026-02-01')])).status).toBe(201);
  }

  // Writers race on every patient through both instances, with events whose rules read each
  // other: a death on 2026-03-01 against follow-ups and a relapse dated after it, two AE
  // reports of one id, two neutrophil engraftments.
  const writes: { subjectId: string; event: ClinicalEvent; via: TestApp }[] = [];
  for (const subjectId of PATIENTS) {
    const racing: ClinicalEvent[] = [
      died('2026-03-01'),
      followUp('2026-02-20'), followUp('2026-03-05'), followUp('2026-03-20'), relapsed('2026-03-10'),
      aeReported('2026-02-10', { aeId: 'AE-1' }), aeReported('2026-02-12', { aeId: 'AE-1' }), aeUpdated('2026-02-25', 'AE-1', { resolvedOn: '2026-02-25' }),
      engrafted('2026-02-15', 'NEUTROPHIL'), engrafted('2026-02-16', 'NEUTROPHIL'), followUp('2026-02-05'), followUp('2026-02-06'),
    ];
    racing.forEach((event, k) => writes.push({ subjectId, event, via: k % 2 === 0 ? a : b }));
  }
  const answers = await Promise.all(writes.map(({ subjectId, event, via }) => post(via, subjectId, event)));

  const acknowledged = new Set<string>();
  answers.forEach((answer, k) => {
    // 201, or refused for a rule (422) or a race lost too often (409): never a 5xx.
    expect([201, 409, 422]).toContain(answer.status);
    if (answer.status === 201) acknowledged.add(writes[k].event.eventId);
  });
  expect(acknowledged.size).toBeGreaterThan(PATIENTS.length * 4);

  const store = a.app.get<EventStore>(EVENT_STORE);
  for (const subjectId of PATIENTS) {
    const stream = await store.readStream(patientStreamId(subjectId));
    const ids = stream.map((e) => e.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    const racedIds = new Set(writes.filter((w) => w.subjectId === subjectId).map((w) => w.event.eventId));
    expect(ids.filter((id) => racedIds.has(id)).sort()).toEqual([...racedIds].filter((id) => acknowledged.has(id)).sort());
    expect(checkHistory(effectiveHistory(stream.map(toHistoryEntry)), '2026-06-01')).toEqual([]);
  }

  const atA = await readModelOf(a);
  const atB = await readModelOf(b);
  expect(atA.list.total).toBe(PATIENTS.length);
  expect(atB).toEqual(atA);
  const c = await instance();
  expect(await readModelOf(c)).toEqual(atA);
});

it('given a record read through one instance, a write through the other is in the next read, as the uncached path has it', async () => {
  const [a, b] = apps.length >= 2 ? apps : [await instance(), await instance()];
  const subjectId = 'SYN-SCALE-READ';
  expect((await post(a, subjectId, [enrolled('2026-01-05'), gpbmcInfused('2026-01-20')])).status).toBe(201);
  const url = `/v1/patients/${subjectId}?asOf=2026-03-10`;
  const before = await get(b, url);
  expect(before.body.revision).toBe(1);

  expect((await post(a, subjectId, stemCellsInfused('2026-02-27'))).status).toBe(201);
  const after = await b.request({ method: 'GET', url, role: 'reporter', headers: { 'if-none-match': before.headers.etag as string } });
  expect(after.status).toBe(200);
  expect(after.body.revision).toBe(2);
  expect(after.body.day0).toBe('2026-02-27');
  expect(after.body).toEqual(JSON.parse(JSON.stringify(await b.app.get(PatientsService).record(subjectId, '2026-03-10', null))));

  // And b appends after a's event, deciding on what a wrote: a second Day 0 is refused.
  const second = await post(b, subjectId, stemCellsInfused('2026-02-28'));
  expect([second.status, second.body.errors?.[0]?.code]).toEqual([422, 'DAY0_ALREADY_RECORDED']);
});
