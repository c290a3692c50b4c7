/**
 * What lists and cohort reports read: the patient record without its timeline, and a
 * way to carry it forward in time without the events.
 *
 * Once every event of a patient is visible (asOf on or after the latest clinical date),
 * a later asOf changes the record only through the calendar: Day +101 and Day +731
 * move the phase, the day-100 window closes, an open primary endpoint becomes NO_EVENT
 * (when the patient was observed through Day +100; it stays OPEN otherwise),
 * a milestone stops being PENDING, a visit window passes. The read model stores the
 * summary projected as of the latest clinical date, and `advanceSummary` applies those
 * calendar effects for any later date (and the data queries the calendar raises: a
 * window unobserved, a visit overdue), so a report over a whole registry never parses
 * the events. A property test holds it equal to `project` at that date.
 */
import type { ClinicalDate } from '../events/clinical-event';
import type { Deviation } from '../rules/deviations';
import { dateOfEpochDay, epochDayOf } from './epoch-day';
import type {
  AeSummary,
  EndpointOutcome,
  Endpoints,
  MilestoneVisit,
  PatientRecord,
  PhaseSpan,
  PrimaryEndpoint,
} from './patient-record';
import {
  COMPLETED_FROM_DAY,
  DAY100_WINDOW_LAST_DAY,
  LONG_TERM_FOLLOW_UP_FROM_DAY,
  milestoneStatusAt,
  overdueVisitDeviation,
  visitStatusAt,
} from './project';
import { CALENDAR_QUERY_CODES, calendarQueries, sortQueries } from './queries';

/** The record without the timeline and the AE lists (kept apart: most reports never need them). */
export type PatientSummary = Omit<PatientRecord, 'timeline' | 'adverseEvents' | 'bridgingAdverseEvents'>;
/** An AE as cohort reports and exports read it: without its change log. */
export type AeFacts = Omit<AeSummary, 'changes'>;
/** A summary with its AEs, for the AE reports and exports. */
export type PatientSummaryWithAes = PatientSummary & { readonly adverseEvents: readonly AeFacts[] };

/** The summary of a record. Lists fields one by one: `timeline` is built lazily and must stay unread. */
export function summaryOf(record: PatientRecord): PatientSummary {
  return {
    subjectId: record.subjectId,
    asOf: record.asOf,
    revision: record.revision,
    enrolledOn: record.enrolledOn,
    diagnosis: record.diagnosis,
    sex: record.sex,
    ageYears: record.ageYears,
    phase: record.phase,
    phaseHistory: record.phaseHistory,
    offStudy: record.offStudy,
    death: record.death,
    relapsed: record.relapsed,
    relapse: record.relapse,
    day0: record.day0,
    day0EventId: record.day0EventId,
    day100Window: record.day100Window,
    primaryEndpoint: record.primaryEndpoint,
    endpoints: record.endpoints,
    endpointsFromEnrollment: record.endpointsFromEnrollment,
    relapseVsNrm: record.relapseVsNrm,
    lastKnownAlive: record.lastKnownAlive,
    lastAssessed: record.lastAssessed,
    engraftment: record.engraftment,
    graftFailure: record.graftFailure,
    milestoneVisits: record.milestoneVisits,
    deviations: record.deviations,
    queries: record.queries,
  };
}

export function aeFactsOf(record: PatientRecord): AeFacts[] {
  return record.adverseEvents.map(({ changes: _changes, ...ae }) => ae);
}

/**
 * The summary as of `asOf`, from a summary projected when every event was already
 * visible (`summary.asOf` on or after the latest clinical date) and `asOf` not earlier.
 */
export function advanceSummary<S extends PatientSummary>(summary: S, asOf: ClinicalDate): S {
  if (asOf < summary.asOf) throw new RangeError(`cannot advance a summary as of ${summary.asOf} back to ${asOf}`);
  if (asOf === summary.asOf) return summary;
  const asOfDay = epochDayOf(asOf);
  const offStudyDay = summary.offStudy ? epochDayOf(summary.offStudy.date) : Number.POSITIVE_INFINITY;
  const day0Day = summary.day0 === null ? null : epochDayOf(summary.day0);
  const lastAssessedDay = epochDayOf(summary.lastAssessed);

  const phaseHistory = day0Day === null ? summary.phaseHistory : advancePhases(summary.phaseHistory, day0Day, asOfDay);
  const windowEndDay = day0Day === null ? null : day0Day + DAY100_WINDOW_LAST_DAY;
  const primaryEndpoint: PrimaryEndpoint =
    summary.primaryEndpoint.status === 'OPEN' && windowEndDay !== null && asOfDay > windowEndDay
      ? lastAssessedDay >= windowEndDay
        ? { status: 'NO_EVENT', eventDate: null, byCategory: [] }
        : { status: 'OPEN', reason: 'NOT_OBSERVED_THROUGH_DAY_100', eventDate: null, byCategory: [] }
      : summary.primaryEndpoint;
  const endpointsAt = (endpoints: Endpoints, originDay: number): Endpoints => ({
    OS: withMilestones(endpoints.OS, originDay, offStudyDay, asOfDay),
    PFS: withMilestones(endpoints.PFS, originDay, offStudyDay, asOfDay),
    GRFS: withMilestones(endpoints.GRFS, originDay, offStudyDay, asOfDay),
  });
  const milestoneVisits = summary.milestoneVisits.map((visit) => withVisitStatus(visit, offStudyDay, asOfDay));
  const queries = summary.queries.filter((q) => !CALENDAR_QUERY_CODES.has(q.code));
  for (const query of calendarQueries({ ...summary, milestoneVisits, asOf })) queries.push(query);

  return {
    ...summary,
    asOf,
    phase: phaseHistory[phaseHistory.length - 1].phase,
    phaseHistory,
    day100Window: {
      ...summary.day100Window,
      status: windowEndDay === null ? 'NOT_STARTED' : asOfDay > windowEndDay ? 'CLOSED' : 'OPEN',
    },
    primaryEndpoint,
    endpoints: summary.endpoints === null || day0Day === null ? summary.endpoints : endpointsAt(summary.endpoints, day0Day),
    endpointsFromEnrollment: endpointsAt(summary.endpointsFromEnrollment, epochDayOf(summary.enrolledOn)),
    milestoneVisits,
    deviations: withOverdueVisits(summary.deviations, milestoneVisits),
    queries: sortQueries(queries),
  };
}

/** Long-term follow-up from Day +101 and completion from Day +731, while the patient is in the post-transplant phases. */
function advancePhases(spans: readonly PhaseSpan[], day0Day: number, asOfDay: number): readonly PhaseSpan[] {
  const next: PhaseSpan[] = [...spans];
  const enter = (phase: PhaseSpan['phase'], fromDay: number) => {
    const last = next[next.length - 1];
    next[next.length - 1] = { ...last, to: dateOfEpochDay(fromDay - 1) };
    next.push({ phase, from: dateOfEpochDay(fromDay), to: null });
  };
  if (next[next.length - 1].phase === 'EARLY_POST_TRANSPLANT' && asOfDay >= day0Day + LONG_TERM_FOLLOW_UP_FROM_DAY) {
    enter('LONG_TERM_FOLLOW_UP', day0Day + LONG_TERM_FOLLOW_UP_FROM_DAY);
  }
  if (next[next.length - 1].phase === 'LONG_TERM_FOLLOW_UP' && asOfDay >= day0Day + COMPLETED_FROM_DAY) {
    enter('COMPLETED', day0Day + COMPLETED_FROM_DAY);
  }
  return next.length === spans.length ? spans : next;
}

/** Each endpoint is known through its own date: the event, or the endpoint's censoring date. */
function withMilestones(outcome: EndpointOutcome, originDay: number, offStudyDay: number, asOfDay: number): EndpointOutcome {
  const knownThroughDay = epochDayOf(outcome.date);
  const eventDay = outcome.event ? knownThroughDay : Number.POSITIVE_INFINITY;
  const at365 = milestoneStatusAt(originDay + 365, eventDay, knownThroughDay, offStudyDay, asOfDay);
  const at730 = milestoneStatusAt(originDay + 730, eventDay, knownThroughDay, offStudyDay, asOfDay);
  if (outcome.milestones['365'] === at365 && outcome.milestones['730'] === at730) return outcome;
  return { ...outcome, milestones: { '365': at365, '730': at730 } };
}

function withVisitStatus(visit: MilestoneVisit, offStudyDay: number, asOfDay: number): MilestoneVisit {
  const status = visitStatusAt(epochDayOf(visit.due), visit.contactOn, offStudyDay, asOfDay);
  return status === visit.status ? visit : { ...visit, status };
}

/** Structural deviations as they were, then one per overdue visit, all in date order (as the projection lists them). */
function withOverdueVisits(deviations: readonly Deviation[], visits: readonly MilestoneVisit[]): readonly Deviation[] {
  const result: Deviation[] = deviations.filter((d) => d.code !== 'MILESTONE_VISIT_OVERDUE');
  let overdue = false;
  for (const visit of visits) {
    if (visit.status !== 'OVERDUE') continue;
    overdue = true;
    result.push(overdueVisitDeviation(visit));
  }
  if (overdue) result.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return result;
}
