/**
 * The five SYNTHETIC patients of `npm run seed`, loaded through the public API of a test
 * app. The clock moves one day per patient (and a minute per event), so recordedBefore
 * can step back through the load: before 2026-12-0N only the first N - 1 patients exist.
 */
import { SYNTHETIC_PATIENTS } from '../../scripts/synthetic-patients';
import { PatientProjector } from '../../src/projections/patient.projector';
import type { TestApp } from '../support/test-app';

export const LOAD_START = '2026-12-01T09:00:00.000Z';
export const AS_OF = '2026-11-25';

export async function loadSyntheticCohort(t: TestApp): Promise<void> {
  for (const [i, patient] of SYNTHETIC_PATIENTS.entries()) {
    t.clock.set(new Date(Date.parse(LOAD_START) + i * 86_400_000).toISOString());
    for (const event of patient.events) {
      const response = await t.request({ method: 'POST', url: `/v1/patients/${patient.subjectId}/events`, role: 'emitter', body: event });
      if (response.status !== 201) throw new Error(`${patient.subjectId} ${event.type}: ${response.status} ${JSON.stringify(response.body)}`);
      t.clock.advance(60_000);
    }
  }
  // The lists and reports read the read model, which folds the log a moment after each
  // acknowledged append: the tests compare against it once it holds every event.
  await t.app.get(PatientProjector).catchUp();
}

/** The instant before patient k (0-based) was loaded: patients 0..k-1 are known then. */
export function beforePatient(k: number): string {
  return new Date(Date.parse(LOAD_START) + k * 86_400_000 - 1).toISOString();
}
