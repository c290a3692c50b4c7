/**
 * Test support: derived records from synthetic event lists, through the real
 * projection, so the report builders are tested on what the service really serves.
 */
import type { ClinicalEvent } from '../../domain/events/clinical-event';
import { effectiveHistory } from '../../domain/history/effective-history';
import type { PatientRecord } from '../../domain/projection/patient-record';
import { project } from '../../domain/projection/project';
import { asHistory } from '../../domain/testing/journey.fixtures';

export function recordOf(subjectId: string, events: readonly ClinicalEvent[], asOf: string): PatientRecord {
  const record = project(subjectId, effectiveHistory(asHistory(events)), asOf, { revision: events.length - 1 });
  if (!record) throw new Error(`${subjectId} is not enrolled as of ${asOf}`);
  return record;
}
