import type { AeFacts, PatientSummaryWithAes } from '../domain/projection/patient-summary';
import { bySubjectId } from './adtte';
import type { Dataset } from './csv';
import { STUDY_ID, usubjid } from './study';

/**
 * SDTM-style AE variables, in file order. Beyond the SDTM names:
 * - AESPID: the sponsor's AE id from the event stream (traceability to the source);
 * - AESTD0DY: onset day relative to Day 0 (Day 0 = graft infusion, so there IS a day 0,
 *   unlike SDTM's --DY); empty without Day 0;
 * - EPOCH: the period of onset, BRIDGING (enrollment to the day before conditioning),
 *   CONDITIONING (conditioning start to Day -1), DAY100_WINDOW (Day 0 to +100) or LATER;
 * - AERELFL: Y when treatment-related under the protocol (any GVHD, or attribution
 *   POSSIBLE, PROBABLE or DEFINITE), the definition the AE report counts;
 * - AETOXGRW: for an AE of onset in the window, the worst CTCAE grade reached by Day +100,
 *   the grade the primary endpoint counts (a worsening counts from its date); empty
 *   otherwise. Last, so the columns before it keep their places.
 */
export const AE_COLUMNS = [
  'STUDYID', 'DOMAIN', 'USUBJID', 'AESEQ', 'AESPID', 'AETERM', 'AECAT', 'AETOXGR', 'AEREL', 'AERELFL', 'AESER',
  'AESTDTC', 'AEENDTC', 'AESTD0DY', 'EPOCH', 'AETOXGRW',
] as const;
export type AeColumn = (typeof AE_COLUMNS)[number];
export interface AeRow {
  readonly STUDYID: string;
  readonly DOMAIN: 'AE';
  readonly USUBJID: string;
  readonly AESEQ: number;
  readonly AESPID: string;
  readonly AETERM: string;
  readonly AECAT: string;
  readonly AETOXGR: number;
  readonly AEREL: string;
  readonly AERELFL: 'Y' | 'N';
  readonly AESER: 'Y' | 'N';
  readonly AESTDTC: string;
  readonly AEENDTC: string | null;
  readonly AESTD0DY: number | null;
  readonly EPOCH: string;
  readonly AETOXGRW: number | null;
}

/**
 * One row per AE visible as of the cohort's date, subjects in USUBJID order and,
 * within a subject, AESEQ numbering AEs 1, 2, ... in onset order (ties in the
 * order they were reported). AETOXGR is the worst CTCAE grade the AE reached;
 * AEREL the investigator's attribution in force; AEENDTC the resolution date.
 */
export function buildAeDataset(records: readonly PatientSummaryWithAes[]): Dataset<AeColumn> & { readonly rows: readonly AeRow[] } {
  const rows: AeRow[] = [];
  for (const record of [...records].sort(bySubjectId)) {
    const ordered = record.adverseEvents.map((ae, index) => ({ ae, index })).sort((a, b) => (a.ae.onset < b.ae.onset ? -1 : a.ae.onset > b.ae.onset ? 1 : a.index - b.index));
    ordered.forEach(({ ae }, i) => rows.push(aeRow(record.subjectId, i + 1, ae)));
  }
  return { columns: AE_COLUMNS, rows };
}

function aeRow(subjectId: string, sequence: number, ae: AeFacts): AeRow {
  return {
    STUDYID: STUDY_ID,
    DOMAIN: 'AE',
    USUBJID: usubjid(subjectId),
    AESEQ: sequence,
    AESPID: ae.aeId,
    AETERM: ae.term,
    AECAT: ae.category,
    AETOXGR: ae.worstCtcaeGrade,
    AEREL: ae.attribution,
    AERELFL: ae.treatmentRelated ? 'Y' : 'N',
    AESER: ae.serious ? 'Y' : 'N',
    AESTDTC: ae.onset,
    AEENDTC: ae.resolvedOn ?? null,
    AESTD0DY: ae.dayRelative,
    EPOCH: ae.phaseAtOnset,
    AETOXGRW: ae.worstCtcaeGradeByDay100 ?? null,
  };
}
