import type { EndpointEventType, EndpointOutcome } from '../domain/projection/patient-record';
import type { PatientSummary } from '../domain/projection/patient-summary';
import type { Dataset } from './csv';
import { ENDPOINT_CODES, STUDY_ID, usubjid, type EndpointCode, type Origin } from './study';

/** ADaM ADTTE variables, in file order. */
export const ADTTE_COLUMNS = ['STUDYID', 'USUBJID', 'PARAMCD', 'PARAM', 'STARTDT', 'ADT', 'AVAL', 'CNSR', 'EVNTDESC', 'CNSDTDSC'] as const;
export type AdtteColumn = (typeof ADTTE_COLUMNS)[number];
export interface AdtteRow {
  readonly STUDYID: string;
  readonly USUBJID: string;
  readonly PARAMCD: EndpointCode;
  readonly PARAM: string;
  readonly STARTDT: string;
  readonly ADT: string;
  readonly AVAL: number;
  readonly CNSR: 0 | 1;
  readonly EVNTDESC: string | null;
  readonly CNSDTDSC: string | null;
}

const PARAM_NAMES: Record<EndpointCode, string> = {
  OS: 'Overall Survival',
  PFS: 'Progression-Free Survival',
  GRFS: 'GVHD-free, Relapse-free Survival',
};
const ORIGIN_NAMES: Record<Origin, string> = { TRANSPLANT: 'Day 0', ENROLLMENT: 'enrollment' };

const EVENT_DESCRIPTIONS: Record<EndpointEventType, string> = {
  DEATH: 'DEATH',
  RELAPSE: 'RELAPSE OR PROGRESSION',
  ACUTE_GVHD_III_IV: 'ACUTE GVHD GRADE III-IV',
  CHRONIC_GVHD_SYSTEMIC: 'CHRONIC GVHD REQUIRING SYSTEMIC THERAPY',
};
/** OS is censored at the last date known alive; PFS and GRFS at the last date known alive and event-free. */
const CENSORING_DESCRIPTIONS: Record<EndpointCode, string> = {
  OS: 'LAST DOCUMENTED CONTACT',
  PFS: 'LAST DOCUMENTED CONTACT ON OR BEFORE WITHDRAWAL',
  GRFS: 'LAST DOCUMENTED CONTACT ON OR BEFORE WITHDRAWAL',
};

/** PARAM text; the unit and the origin are in it because AVAL alone does not say them. */
export function paramName(code: EndpointCode, origin: Origin): string {
  return `${PARAM_NAMES[code]} (days from ${ORIGIN_NAMES[origin]})`;
}

/**
 * One row per patient and PARAMCD (OS, PFS, GRFS), subjects in USUBJID order.
 * AVAL = ADT - STARTDT in days (no +1: the same time as the survival report, so
 * PROC LIFETEST or survfit over the file reproduces it). With origin TRANSPLANT a
 * patient without Day 0 is not in the analysis and has no rows.
 */
export function buildAdtte(records: readonly PatientSummary[], origin: Origin): Dataset<AdtteColumn> & { readonly rows: readonly AdtteRow[] } {
  const rows: AdtteRow[] = [];
  for (const record of [...records].sort(bySubjectId)) {
    const endpoints = origin === 'TRANSPLANT' ? record.endpoints : record.endpointsFromEnrollment;
    const start = origin === 'TRANSPLANT' ? record.day0 : record.enrolledOn;
    if (endpoints === null || start === null) continue;
    for (const code of ENDPOINT_CODES) rows.push(adtteRow(record.subjectId, code, origin, start, endpoints[code]));
  }
  return { columns: ADTTE_COLUMNS, rows };
}

function adtteRow(subjectId: string, code: EndpointCode, origin: Origin, start: string, outcome: EndpointOutcome): AdtteRow {
  return {
    STUDYID: STUDY_ID,
    USUBJID: usubjid(subjectId),
    PARAMCD: code,
    PARAM: paramName(code, origin),
    STARTDT: start,
    ADT: outcome.date,
    AVAL: outcome.days,
    CNSR: outcome.event ? 0 : 1,
    EVNTDESC: outcome.event ? EVENT_DESCRIPTIONS[outcome.eventType ?? defaultEventType(code)] : null,
    CNSDTDSC: outcome.event ? null : CENSORING_DESCRIPTIONS[code],
  };
}

/** OS has one kind of event; the projection always names the others, this only guards a record without it. */
function defaultEventType(code: EndpointCode): EndpointEventType {
  if (code === 'OS') return 'DEATH';
  throw new Error(`an ${code} event without its type`);
}

export function bySubjectId(a: { readonly subjectId: string }, b: { readonly subjectId: string }): number {
  return a.subjectId < b.subjectId ? -1 : a.subjectId > b.subjectId ? 1 : 0;
}
