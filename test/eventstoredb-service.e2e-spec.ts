/**
 * The whole service on EVENT_STORE=eventstoredb, through the real @eventstore/db-client
 * over gRPC to the in-process stand-in (no EventStoreDB server runs on CI machines).
 * Synthetic data only.
 */
import { chemoStarted, conditioningStarted, enrolled, gpbmcInfused, stemCellsInfused } from '../src/domain/testing/journey.fixtures';
import { EsdbStandIn } from '../src/event-store/eventstoredb/testing/esdb-stand-in';
import { PatientProjector } from '../src/projections/patient.projector';
import { startTestApp, type TestApp } from './support/test-app';

let standIn: EsdbStandIn;
let t: TestApp;

beforeAll(async () => {
  standIn = new EsdbStandIn();
  const { connectionString } = await standIn.start();
  t = await startTestApp({ now: '2026-06-01T12:00:00.000Z', env: { EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: connectionString } });
});
afterAll(async () => {
  await t?.close();
  await standIn?.stop();
});

it('enrolls a patient, records Day 0 and reads the derived record back through EventStoreDB', async () => {
  const subjectId = 'SYN-ESDB-001';
  const post = (body: unknown) => t.request({ method: 'POST', url: `/v1/patients/${subjectId}/events`, role: 'emitter', body });

  const enrollment = await post(enrolled('2026-01-05'));
  expect(enrollment.status).toBe(201);
  const treatment = await post([chemoStarted('2026-01-08'), gpbmcInfused('2026-01-20'), conditioningStarted('2026-02-20')]);
  expect(treatment.status).toBe(201);
  const day0 = stemCellsInfused('2026-02-27');
  const transplant = await post(day0);
  expect(transplant.status).toBe(201);
  expect(transplant.body.events).toEqual([{ eventId: day0.eventId, revision: 4, position: expect.any(Number), recordedAt: '2026-06-01T12:00:00.000Z' }]);
  expect(standIn.eventIdsOf(`patient-${subjectId}`)).toHaveLength(5);

  // An exact retry is answered from the stream, not stored again.
  expect((await post(day0)).status).toBe(200);
  expect(standIn.eventIdsOf(`patient-${subjectId}`)).toHaveLength(5);

  const record = await t.request({ method: 'GET', url: `/v1/patients/${subjectId}?asOf=2026-03-10`, role: 'reporter' });
  expect(record.status).toBe(200);
  expect(record.body).toMatchObject({
    subjectId,
    revision: 4,
    day0: '2026-02-27',
    phase: 'EARLY_POST_TRANSPLANT',
    day100Window: { start: '2026-02-27', end: '2026-06-07', status: 'OPEN' },
    primaryEndpoint: { status: 'OPEN' },
  });

  const audit = await t.request({ method: 'GET', url: `/v1/patients/${subjectId}/events`, role: 'auditor' });
  expect(audit.body.events.map((e: { type: string }) => e.type)).toEqual([
    'PatientEnrolled', 'ChemotherapyStarted', 'GpbmcInfused', 'ConditioningStarted', 'StemCellsInfused',
  ]);
  expect(audit.body.events[0]).toMatchObject({ occurredOn: '2026-01-05', actor: { role: 'emitter' }, schemaVersion: 1 });

  // The projector follows $all through the adapter's filtered subscription.
  await t.app.get(PatientProjector).catchUp();
  const list = await t.request({ method: 'GET', url: '/v1/patients?asOf=2026-03-10', role: 'reporter' });
  expect(list.body.items.map((p: { subjectId: string; phase: string }) => [p.subjectId, p.phase])).toEqual([[subjectId, 'EARLY_POST_TRANSPLANT']]);

  const health = await t.request({ method: 'GET', url: '/health', role: null });
  expect(health.status).toBe(200);
});
