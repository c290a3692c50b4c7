import type { ClinicalDate } from '../domain/events/clinical-event';
import { effectiveHistory, type HistoryEntry } from '../domain/history/effective-history';
import { statusInputsOf, type StatusInputs } from '../domain/projection/cohort-status';
import type { EndpointOutcome, Endpoints, Phase, PrimaryStatus, QueryCode } from '../domain/projection/patient-record';
import { aeFactsOf, summaryOf } from '../domain/projection/patient-summary';
import { project } from '../domain/projection/project';

/**
 * The read-model columns of one patient, folded from its stored events as of its latest
 * clinical date. Cohort reports and list filters read the plain columns (no JSON) and
 * carry the statuses forward to the date asked with `cohortStatusAsOf`; `facts` and `aes`
 * hold the whole summary for the rows a page or an export shows.
 */
export interface PatientRow {
  readonly enrolledOn: ClinicalDate | null;
  /** The latest clinical date of the effective history: the row holds for any asOf from it on. */
  readonly lastEventOn: ClinicalDate | null;
  readonly diagnosisType: string | null;
  readonly riskGroup: string | null;
  readonly day0: ClinicalDate | null;
  readonly offStudyOn: ClinicalDate | null;
  readonly phaseAtLast: string | null;
  readonly primaryAtLast: string | null;
  readonly relapsed: 0 | 1 | null;
  readonly structuralDeviations: number | null;
  readonly overdueFrom: ClinicalDate | null;
  /** The latest documented contact on or before any withdrawal (what NO_EVENT needs on or after Day +100). */
  readonly lastAssessed: ClinicalDate | null;
  /** Comma-separated codes of the data queries that follow from the events alone; '' when none. */
  readonly eventQueryCodes: string | null;
  /** Day +101 when on study and not seen on or after Day +100: DAY100_NOT_OBSERVED from then. */
  readonly unobservedFrom: ClinicalDate | null;
  /** The first day of conditioning (the CONDITIONING phase), for the conditioning AE period's denominator. */
  readonly conditioningOn: ClinicalDate | null;
  /** Why the primary endpoint is NOT_APPLICABLE or INCOMPLETE at the latest date (both final). */
  readonly primaryReason: string | null;
  /** JSON [[category, worst grade], ...] of the primary endpoint (counted deaths included); [] unless EVENT, which is final. */
  readonly primaryCategories: string | null;
  /** Time to event, origin Day 0 (tx) and enrollment (en): 1/0 event and days; null without Day 0 for tx. */
  readonly txOsEvent: number | null; readonly txOsDays: number | null;
  readonly txPfsEvent: number | null; readonly txPfsDays: number | null;
  readonly txGrfsEvent: number | null; readonly txGrfsDays: number | null;
  readonly enOsEvent: number | null; readonly enOsDays: number | null;
  readonly enPfsEvent: number | null; readonly enPfsDays: number | null;
  readonly enGrfsEvent: number | null; readonly enGrfsDays: number | null;
  /** Relapse (1) versus non-relapse mortality (2), or censored (0), and days, from each origin. */
  readonly txCifCause: number | null; readonly txCifDays: number | null;
  readonly enCifCause: number | null; readonly enCifDays: number | null;
  /** JSON [[period, category, worst grade, related 1/0, serious 1/0, worst grade by Day +100 or null], ...]: what AE tables count. */
  readonly aeTuples: string | null;
  /** JSON of the PatientSummary as of `lastEventOn`. */
  readonly facts: string | null;
  /** JSON of the AEs without change logs. */
  readonly aes: string | null;
}

/** The columns of `PatientRow` in table `patient`, snake_case, in one place for the SQL; `facts` and `aes` live in `patient_facts`. */
export const PATIENT_ROW_COLUMNS = {
  enrolledOn: 'enrolled_on', lastEventOn: 'last_event_on', diagnosisType: 'diagnosis_type', riskGroup: 'risk_group', day0: 'day0',
  offStudyOn: 'off_study_on', phaseAtLast: 'phase_at_last', primaryAtLast: 'primary_at_last', relapsed: 'relapsed',
  structuralDeviations: 'structural_deviations', overdueFrom: 'overdue_from',
  lastAssessed: 'last_assessed', eventQueryCodes: 'event_query_codes', unobservedFrom: 'unobserved_from', conditioningOn: 'conditioning_on',
  primaryReason: 'primary_reason', primaryCategories: 'primary_categories',
  txOsEvent: 'tx_os_event', txOsDays: 'tx_os_days', txPfsEvent: 'tx_pfs_event', txPfsDays: 'tx_pfs_days', txGrfsEvent: 'tx_grfs_event', txGrfsDays: 'tx_grfs_days',
  enOsEvent: 'en_os_event', enOsDays: 'en_os_days', enPfsEvent: 'en_pfs_event', enPfsDays: 'en_pfs_days', enGrfsEvent: 'en_grfs_event', enGrfsDays: 'en_grfs_days',
  txCifCause: 'tx_cif_cause', txCifDays: 'tx_cif_days', enCifCause: 'en_cif_cause', enCifDays: 'en_cif_days',
  aeTuples: 'ae_tuples',
} as const satisfies Record<Exclude<keyof PatientRow, 'facts' | 'aes'>, string>;

const EMPTY: PatientRow = Object.fromEntries([...Object.keys(PATIENT_ROW_COLUMNS), 'facts', 'aes'].map((k) => [k, null])) as unknown as PatientRow;
const CAUSE = { RELAPSE: 1, NRM: 2 } as const;

const outcome = (o: EndpointOutcome | undefined): [number | null, number | null] => (o === undefined ? [null, null] : [o.event ? 1 : 0, o.days]);

/** Folds one patient's stored events into its row. */
export function patientRow(subjectId: string, revision: number, entries: readonly HistoryEntry[]): PatientRow {
  const effective = effectiveHistory(entries);
  const lastEventOn = effective.length > 0 ? effective[effective.length - 1].occurredOn : null;
  const record = lastEventOn === null ? null : project(subjectId, effective, lastEventOn, { revision });
  if (record === null) return { ...EMPTY, lastEventOn };
  const summary = summaryOf(record);
  const inputs = statusInputsOf(summary);
  const tx: Partial<Endpoints> = record.endpoints ?? {};
  const en = record.endpointsFromEnrollment;
  const [txOsEvent, txOsDays] = outcome(tx.OS);
  const [txPfsEvent, txPfsDays] = outcome(tx.PFS);
  const [txGrfsEvent, txGrfsDays] = outcome(tx.GRFS);
  const [enOsEvent, enOsDays] = outcome(en.OS);
  const [enPfsEvent, enPfsDays] = outcome(en.PFS);
  const [enGrfsEvent, enGrfsDays] = outcome(en.GRFS);
  const fromDay0 = record.relapseVsNrm.fromDay0;
  return {
    enrolledOn: record.enrolledOn,
    lastEventOn,
    diagnosisType: record.diagnosis.type,
    riskGroup: record.diagnosis.riskGroup,
    day0: record.day0,
    offStudyOn: record.offStudy?.date ?? null,
    phaseAtLast: inputs.phaseAtLast,
    primaryAtLast: inputs.primaryAtLast,
    relapsed: inputs.relapsed ? 1 : 0,
    structuralDeviations: inputs.structuralDeviations,
    overdueFrom: inputs.overdueFrom,
    lastAssessed: inputs.lastAssessed,
    eventQueryCodes: inputs.eventQueryCodes.join(','),
    unobservedFrom: inputs.unobservedFrom,
    conditioningOn: record.phaseHistory.find((span) => span.phase === 'CONDITIONING')?.from ?? null,
    primaryReason: record.primaryEndpoint.reason ?? null,
    primaryCategories: JSON.stringify(record.primaryEndpoint.byCategory.map((c) => [c.category, c.worstGrade])),
    txOsEvent, txOsDays, txPfsEvent, txPfsDays, txGrfsEvent, txGrfsDays,
    enOsEvent, enOsDays, enPfsEvent, enPfsDays, enGrfsEvent, enGrfsDays,
    txCifCause: fromDay0 === null ? null : fromDay0.event === null ? 0 : CAUSE[fromDay0.event],
    txCifDays: fromDay0 === null ? null : fromDay0.days,
    enCifCause: record.relapseVsNrm.event === null ? 0 : CAUSE[record.relapseVsNrm.event],
    enCifDays: record.relapseVsNrm.daysFromEnrollment,
    aeTuples: JSON.stringify(
      record.adverseEvents.map((ae) => [ae.phaseAtOnset, ae.category, ae.worstCtcaeGrade, ae.treatmentRelated ? 1 : 0, ae.serious ? 1 : 0, ae.worstCtcaeGradeByDay100 ?? null]),
    ),
    facts: JSON.stringify(summary),
    aes: JSON.stringify(aeFactsOf(record)),
  };
}

const NO_CODES: readonly QueryCode[] = Object.freeze([]);

/** What `cohortStatusAsOf` needs, read off a folded row of table \`patient\` (by column name). */
export function statusInputsOfRow(row: Readonly<Record<string, any>>): StatusInputs {
  const codes = row.event_query_codes as string;
  return {
    day0: row.day0,
    phaseAtLast: row.phase_at_last as Phase,
    primaryAtLast: row.primary_at_last as PrimaryStatus,
    lastAssessed: row.last_assessed,
    relapsed: row.relapsed === 1,
    structuralDeviations: row.structural_deviations,
    overdueFrom: row.overdue_from,
    eventQueryCodes: codes === '' ? NO_CODES : (codes.split(',') as QueryCode[]),
    unobservedFrom: row.unobserved_from,
  };
}
