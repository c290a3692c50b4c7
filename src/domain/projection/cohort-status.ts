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
import type { Phase, PrimaryStatus, WindowStatus } from './patient-record';
import type { PatientSummary } from './patient-summary';
import { COMPLETED_FROM_DAY, DAY100_WINDOW_LAST_DAY, LONG_TERM_FOLLOW_UP_FROM_DAY } from './project';

export interface StatusInputs {
  readonly day0: ClinicalDate | null;
  /** Phase and primary endpoint status as of the latest clinical date. */
  readonly phaseAtLast: Phase;
  readonly primaryAtLast: PrimaryStatus;
  /**
   * The date the patient was last known alive: observed through Day +100 when on or after
   * that day. A row's `last_event_on` will do: where it matters, the primary endpoint is
   * OPEN at that date, so the patient is on study, not dead, and that date is this one.
   */
  readonly lastKnownAlive: ClinicalDate;
  readonly relapsed: boolean;
  readonly structuralDeviations: number;
  /** The first date on which some milestone visit is overdue, given the events known; null when none can be. */
  readonly overdueFrom: ClinicalDate | null;
}

export interface CohortStatus {
  readonly phase: Phase;
  readonly windowStatus: WindowStatus;
  readonly primaryStatus: PrimaryStatus;
  readonly relapsed: boolean;
  readonly hasDeviations: boolean;
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
  return {
    day0: summary.day0,
    phaseAtLast: summary.phase,
    primaryAtLast: summary.primaryEndpoint.status,
    lastKnownAlive: summary.lastKnownAlive,
    relapsed: summary.relapsed,
    structuralDeviations: summary.deviations.filter((d) => d.code !== 'MILESTONE_VISIT_OVERDUE').length,
    overdueFrom,
  };
}

export function cohortStatusAsOf(inputs: StatusInputs, asOf: ClinicalDate): CohortStatus {
  const hasDeviations = inputs.structuralDeviations > 0 || (inputs.overdueFrom !== null && inputs.overdueFrom <= asOf);
  if (inputs.day0 === null) {
    return { phase: inputs.phaseAtLast, windowStatus: 'NOT_STARTED', primaryStatus: inputs.primaryAtLast, relapsed: inputs.relapsed, hasDeviations };
  }
  const day = epochDayOf(asOf) - epochDayOf(inputs.day0);
  let phase = inputs.phaseAtLast;
  if (phase === 'EARLY_POST_TRANSPLANT' && day >= LONG_TERM_FOLLOW_UP_FROM_DAY) phase = 'LONG_TERM_FOLLOW_UP';
  if (phase === 'LONG_TERM_FOLLOW_UP' && day >= COMPLETED_FROM_DAY) phase = 'COMPLETED';
  const closed = day > DAY100_WINDOW_LAST_DAY;
  const observedThroughWindow = epochDayOf(inputs.lastKnownAlive) - epochDayOf(inputs.day0) >= DAY100_WINDOW_LAST_DAY;
  return {
    phase,
    windowStatus: closed ? 'CLOSED' : 'OPEN',
    primaryStatus: inputs.primaryAtLast === 'OPEN' && closed && observedThroughWindow ? 'NO_EVENT' : inputs.primaryAtLast,
    relapsed: inputs.relapsed,
    hasDeviations,
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
  };
}
