import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYNTHETIC_PATIENTS } from '../../scripts/synthetic-patients';
import { PatientProjector } from '../../src/projections/patient.projector';
import { startTestApp } from './test-app';

/** When the storage tests read the synthetic records: after every seed event. */
export const SEEDED_NOW = '2026-11-25T12:00:00.000Z';

/**
 * A data dir holding the five SYNTHETIC seed patients, appended through the API and folded
 * into the read model, with the service stopped again: what a storage test then damages.
 */
export async function seededDataDir(dataDir = mkdtempSync(join(tmpdir(), 'timeline-storage-'))): Promise<string> {
  const t = await startTestApp({ now: '2026-11-19T09:00:00.000Z', dataDir });
  for (const patient of SYNTHETIC_PATIENTS) {
    for (const event of patient.events) {
      const response = await t.request({ method: 'POST', url: `/v1/patients/${patient.subjectId}/events`, role: 'emitter', body: event });
      if (response.status !== 201) throw new Error(`seeding ${patient.subjectId} ${event.type}: ${response.status} ${JSON.stringify(response.body)}`);
      t.clock.advance(1000);
    }
  }
  await t.app.get(PatientProjector).catchUp();
  await t.close();
  return dataDir;
}
