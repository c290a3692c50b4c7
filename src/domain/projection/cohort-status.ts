/**
 * A patient's statuses as of a date, from a handful of values stored per patient, for
 * filtering and counting a registry-sized cohort without reading any JSON.
 *
 * Like `advanceSummary`, it holds for an as-of date on or after the patient's latest
 * clinical date, where only the calendar still changes anything; a property test holds
 * it equal to `project` there.
 */
import type { ClinicalDate } from '../events/clinical-event';
import { dateOfEpochDay, epochDayOf } from './epoch-day';
import type { DataQuery, Phase, PrimaryStatus, QueryCode, WindowStatus } from './patient-record';
import { QUERY_CODES } from './patient-record';
import { CALENDAR_QUERY_CODES } from './queries';
import type { PatientSummary } from './patient-summary';
import { COMPLETED_FROM_DAY, DAY100_WINDOW_LAST_DAY, LONG_TERM_FOLLOW_UP_FROM_DAY } from './project';

export interface StatusInputs {
  readonly day0: ClinicalDate | null;
  /** Phase and primary endpoint status as of the latest clinical date. */
  readonly phaseAtLast: Phase;
  readonly primaryAtLast: PrimaryStatus;
  /** The latest documented contact on or before any withdrawal: observed through Day +100 when on or after that day. */
  readonly lastAssessed: ClinicalDate;
  readonly relapsed: boolean;
  readonly structuralDeviations: number;
  /** The first date on which some milestone visit is overdue, given the events known; null when none can be. */
  readonly overdueFrom: ClinicalDate | null;
  /** The codes of the data queries that follow from the events alone (they stand whatever the later date). */
  readonly eventQueryCodes: readonly QueryCode[];
  /** Day +101 when the patient is on study and not seen on or after Day +100 (DAY100_NOT_OBSERVED from then); else null. */
  readonly unobservedFrom: ClinicalDate | null;
}

export interface CohortStatus {
  readonly phase: Phase;
  readonly windowStatus: WindowStatus;
  readonly primaryStatus: PrimaryStatus;
  readonly relapsed: boolean;
  readonly hasDeviations: boolean;
  /** Distinct codes of the open data queries, in catalogue order. */
  readonly queryCodes: readonly QueryCode[];
}

/** The inputs, from a summary projected as of the patient's latest clinical date. */
export function statusInputsOf(summary: PatientSummary): StatusInputs {
  let overdueFrom: ClinicalDate | null = null;
  for (const visit of summary.milestoneVisits) {
    // A visit without a contact becomes overdue the day after its window, unless the patient left the study before it was due.
    if (visit.contactOn !== null || visit.status === 'NOT_REQUIRED') continue;
    const from = dateOfEpochDay(epochDayOf(visit.windowTo) + 1);
    if (overdueFrom === null || from < overdueFrom) overdueFrom = from;
  }
  let unobservedFrom: ClinicalDate | null = null;
  if (summary.day0 !== null && summary.offStudy === null) {
    const day100 = epochDayOf(summary.day0) + DAY100_WINDOW_LAST_DAY;
    if (epochDayOf(summary.lastKnownAlive) < day100) unobservedFrom = dateOfEpochDay(day100 + 1);
  }
  return {
    day0: summary.day0,
    phaseAtLast: summary.phase,
    primaryAtLast: summary.primaryEndpoint.status,
    lastAssessed: summary.lastAssessed,
    relapsed: summary.relapsed,
    structuralDeviations: summary.deviations.filter((d) => d.code !== 'MILESTONE_VISIT_OVERDUE').length,
    overdueFrom,
    eventQueryCodes: codesOf(summary.queries.filter((q) => !CALENDAR_QUERY_CODES.has(q.code))),
    unobservedFrom,
  };
}

export function cohortStatusAsOf(inputs: StatusInputs, asOf: ClinicalDate): CohortStatus {
  const hasDeviations = inputs.structuralDeviations > 0 || (inputs.overdueFrom !== null && inputs.overdueFrom <= asOf);
  const overdue = inputs.overdueFrom !== null && inputs.overdueFrom <= asOf;
  const unobserved = inputs.unobservedFrom !== null && inputs.unobservedFrom <= asOf;
  const queryCodes = overdue || unobserved ? withCalendarCodes(inputs.eventQueryCodes, unobserved, overdue) : inputs.eventQueryCodes;
  if (inputs.day0 === null) {
    return { phase: inputs.phaseAtLast, windowStatus: 'NOT_STARTED', primaryStatus: inputs.primaryAtLast, relapsed: inputs.relapsed, hasDeviations, queryCodes };
  }
  const day = epochDayOf(asOf) - epochDayOf(inputs.day0);
  let phase = inputs.phaseAtLast;
  if (phase === 'EARLY_POST_TRANSPLANT' && day >= LONG_TERM_FOLLOW_UP_FROM_DAY) phase = 'LONG_TERM_FOLLOW_UP';
  if (phase === 'LONG_TERM_FOLLOW_UP' && day >= COMPLETED_FROM_DAY) phase = 'COMPLETED';
  const closed = day > DAY100_WINDOW_LAST_DAY;
  const observedThroughWindow = epochDayOf(inputs.lastAssessed) - epochDayOf(inputs.day0) >= DAY100_WINDOW_LAST_DAY;
  return {
    phase,
    windowStatus: closed ? 'CLOSED' : 'OPEN',
    primaryStatus: inputs.primaryAtLast === 'OPEN' && closed && observedThroughWindow ? 'NO_EVENT' : inputs.primaryAtLast,
    relapsed: inputs.relapsed,
    hasDeviations,
    queryCodes,
  };
}

/** The same statuses read off a summary at its own date. */
export function cohortStatusOf(summary: PatientSummary): CohortStatus {
  return {
    phase: summary.phase,
    windowStatus: summary.day100Window.status,
    primaryStatus: summary.primaryEndpoint.status,
    relapsed: summary.relapsed,
    hasDeviations: summary.deviations.length > 0,
    queryCodes: codesOf(summary.queries),
  };
}

const NO_CODES: readonly QueryCode[] = Object.freeze([]);

/** Distinct codes in catalogue order; one shared empty list for the many patients without any. */
export function codesOf(queries: readonly DataQuery[]): readonly QueryCode[] {
  if (queries.length === 0) return NO_CODES;
  return QUERY_CODES.filter((code) => queries.some((q) => q.code === code));
}

function withCalendarCodes(codes: readonly QueryCode[], unobserved: boolean, overdue: boolean): readonly QueryCode[] {
  return QUERY_CODES.filter((code) => codes.includes(code) || (unobserved && code === 'DAY100_NOT_OBSERVED') || (overdue && code === 'MILESTONE_VISIT_OVERDUE'));
}
