/**
 * The reports read plain read-model columns for patients whose facts hold at the as-of
 * date, and projected summaries otherwise. Over generated SYNTHETIC journeys, both paths
 * must give the same numbers: the column path is compared with the pure builders run
 * over whole summaries.
 */
import { queryCountsOf } from '../src/reports/query-counts';
import fc from 'fast-check';
import { PatientsService } from '../src/api/patients/patients.service';
import type { PatientFilterQuery } from '../src/api/patients/patient-list.query';
import { arbJourney, withOwnIds } from '../src/domain/testing/journey.fixtures';
import { PatientProjector } from '../src/projections/patient.projector';
import { adverseEventReport } from '../src/reports/adverse-event-report';
import { ReportsService } from '../src/reports/reports.service';
import { cumulativeIncidenceReport, survivalReport } from '../src/reports/time-to-event-report';
import { startTestApp, type TestApp } from './support/test-app';

let t: TestApp;
const PATIENTS = 40;


beforeAll(async () => {
  // Journeys end by 2027-12-31 and the rules accept dates up to today + 1: today is after that.
  t = await startTestApp({ now: '2028-06-01T12:00:00.000Z' });
  const journeys = fc.sample(arbJourney({ from: '2025-01-01', to: '2027-12-31' }), { numRuns: PATIENTS, seed: 42 });
  for (const [p, journey] of journeys.entries()) {
    const response = await t.request({ method: 'POST', url: `/v1/patients/SYN-RP-${p}/events`, role: 'emitter', body: withOwnIds(journey.events, 0x500 + p) });
    expect(response.status).toBe(201);
  }
  await t.app.get(PatientProjector).catchUp();
}, 60_000);
afterAll(async () => {
  await t.close();
});

const filterSets: PatientFilterQuery[] = [{}, { phase: 'OFF_STUDY' }, { primaryEndpoint: 'EVENT' }, { hasDeviations: false }, { windowStatus: 'CLOSED', relapsed: false }];

describe.each(['2028-01-15', '2029-06-30', '2026-06-30'])('as of %s', (asOf) => {
  it.each(filterSets.map((f) => [JSON.stringify(f), f] as const))('gives the same reports on both paths with filters %s', async (_name, filters) => {
    const reports = t.app.get(ReportsService);
    const { patients } = await t.app.get(PatientsService).cohort({ ...filters, asOf }, { withAdverseEvents: true });
    // The read model's query codes, carried forward by the calendar, against the summaries' own queries.
    const queries = queryCountsOf(patients);
    for (const origin of ['TRANSPLANT', 'ENROLLMENT'] as const) {
      for (const endpoint of ['OS', 'PFS', 'GRFS'] as const) {
        expect(await reports.survival({ ...filters, asOf, endpoint, origin })).toEqual({ ...survivalReport(patients, endpoint, origin, asOf), queries });
      }
      expect(await reports.cumulativeIncidence({ ...filters, asOf, origin })).toEqual({ ...cumulativeIncidenceReport(patients, origin, asOf), queries });
    }
    expect(await reports.adverseEvents({ ...filters, asOf })).toEqual({ ...adverseEventReport(patients, asOf), queries });
    expect(patients.length).toBeLessThanOrEqual(PATIENTS);
  });
});
