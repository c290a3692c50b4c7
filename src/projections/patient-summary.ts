import type { ClinicalDate } from '../domain/events/clinical-event';
import { effectiveHistory, type HistoryEntry } from '../domain/history/effective-history';
import { structuralDeviations } from '../domain/rules/deviations';

/** The read-model columns of one patient: what lists filter on in SQL before projecting. */
export interface PatientSummary {
  readonly enrolledOn: ClinicalDate | null;
  readonly lastEventOn: ClinicalDate | null;
  readonly diagnosisType: string | null;
  readonly riskGroup: string | null;
  readonly day0: ClinicalDate | null;
  readonly offStudyOn: ClinicalDate | null;
  readonly relapsedOn: ClinicalDate | null;
  /** Structural deviations only (1/0 for SQLite): an overdue visit depends on today. */
  readonly hasDeviations: 0 | 1;
  /** JSON of the today-independent facts reports read; null until they are derived. */
  readonly facts: string | null;
}

/**
 * Facts that do not depend on "today", from the effective history (corrections applied,
 * voids dropped). Everything that does depend on today is derived when read.
 */
export function summarizePatient(_subjectId: string, entries: readonly HistoryEntry[]): PatientSummary {
  const effective = effectiveHistory(entries);
  let enrolledOn: ClinicalDate | null = null;
  let diagnosisType: string | null = null;
  let riskGroup: string | null = null;
  let day0: ClinicalDate | null = null;
  let offStudyOn: ClinicalDate | null = null;
  let relapsedOn: ClinicalDate | null = null;
  for (const event of effective) {
    switch (event.type) {
      case 'PatientEnrolled':
        enrolledOn ??= event.occurredOn;
        diagnosisType = event.data.diagnosis.type;
        riskGroup = event.data.diagnosis.riskGroup ?? null;
        break;
      case 'StemCellsInfused':
        day0 ??= event.occurredOn;
        break;
      case 'PatientDied':
      case 'PatientWithdrawn':
        offStudyOn ??= event.occurredOn;
        break;
      case 'RelapseDiagnosed':
        relapsedOn ??= event.occurredOn;
        break;
      default:
        break;
    }
  }
  return {
    enrolledOn,
    lastEventOn: effective.length > 0 ? effective[effective.length - 1].occurredOn : null,
    diagnosisType,
    riskGroup,
    day0,
    offStudyOn,
    relapsedOn,
    hasDeviations: structuralDeviations(effective).length > 0 ? 1 : 0,
    facts: null,
  };
}
