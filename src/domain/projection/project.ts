/**
 * The patient projection: one patient's effective history folded into the derived
 * record as of a clinical date (docs/clinical-rules.md sections 2, 5 and 6). Pure and deterministic.
 *
 * A cohort report runs this for every patient, so it is a few linear passes over the
 * events (order check, main fold, timeline) plus passes over the short lists of phase
 * changes and AEs; dates are compared as ISO strings and turned into day numbers with
 * the hand-rolled epoch-day helpers.
 */
import type {
  AdverseEventReportedData,
  AdverseEventUpdatedData,
  AeCategory,
  Attribution,
  ClinicalDate,
  CtcaeGrade,
  GvhdGrade,
} from '../events/clinical-event';
import { AE_CATEGORIES } from '../events/clinical-event';
import type { EffectiveEvent } from '../history/effective-history';
import { compareClinicalOrder } from '../history/effective-history';
import type { Deviation } from '../rules/deviations';
import { structuralDeviations } from '../rules/deviations';
import { dateOfEpochDayCached as dateOfEpochDay, epochDayOf } from './epoch-day';
import type {
  AeChange,
  AeSummary,
  CompetingOutcome,
  EndpointEventType,
  EndpointOutcome,
  Endpoints,
  GraftFailureStatus,
  MilestoneDay,
  MilestoneStatus,
  MilestoneVisit,
  MilestoneVisitStatus,
  OffStudy,
  AePeriod,
  PatientRecord,
  Phase,
  PhaseSpan,
  PrimaryCategoryCount,
  PrimaryEndpoint,
  RelapseVsNrm,
  TimelineEntry,
} from './patient-record';
import { MILESTONE_STATUSES } from './patient-record';
import { calendarQueries, eventQueries, grade5Date, sortQueries } from './queries';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type MutableAe = Mutable<AeSummary> & { changes: AeChange[] };
type Fact<T extends EffectiveEvent['type']> = Extract<EffectiveEvent, { readonly type: T }>;

/** Day 0 to Day +100, both inclusive. */
export const DAY100_WINDOW_LAST_DAY = 100;
/** The first day of long-term follow-up. */
export const LONG_TERM_FOLLOW_UP_FROM_DAY = 101;
/** The study ends for a patient alive at Day +730; COMPLETED from the next day. */
export const COMPLETED_FROM_DAY = 731;
export const MILESTONE_VISIT_DAYS: readonly MilestoneDay[] = [30, 100, 182, 365, 730];
/** A milestone visit is on time within this many days either side of its due date. */
export const MILESTONE_VISIT_TOLERANCE_DAYS = 14;
const ENDPOINT_MILESTONES = [365, 730] as const;
/** Day number of something that never happened. Read once: global lookups (`Infinity`, `Math`, `Array`) are slow in a vm context (jest). */
const NEVER = Number.POSITIVE_INFINITY;

const PHASE_RANK: Record<Phase, number> = {
  ENROLLED: 0,
  BRIDGING_CHEMOTHERAPY: 1,
  BRIDGING_GPBMC: 2,
  CONDITIONING: 3,
  EARLY_POST_TRANSPLANT: 4,
  LONG_TERM_FOLLOW_UP: 5,
  COMPLETED: 6,
  OFF_STUDY: 7,
};

/** Ranks within a GVHD grading family (acute MAGIC I-IV, chronic NIH mild-severe), to find the worst. */
const GVHD_RANK: Record<GvhdGrade, number> = { I: 1, II: 2, III: 3, IV: 4, MILD: 1, MODERATE: 2, SEVERE: 3 };

export function isTreatmentRelated(category: AeCategory, attribution: Attribution): boolean {
  return (
    category === 'ACUTE_GVHD' ||
    category === 'CHRONIC_GVHD' ||
    attribution === 'POSSIBLE' ||
    attribution === 'PROBABLE' ||
    attribution === 'DEFINITE'
  );
}

const isSevereAcuteGrade = (grade: GvhdGrade | undefined): boolean => grade === 'III' || grade === 'IV';
const later = (a: ClinicalDate, b: ClinicalDate): ClinicalDate => (a > b ? a : b);

/**
 * The patient's record as of `asOf`, from the output of `effectiveHistory()` (corrections
 * applied, voids dropped, clinical order). Only events dated on or before `asOf` are
 * seen. Null when no enrollment is dated on or before `asOf`.
 */
export function project(
  subjectId: string,
  effective: readonly EffectiveEvent[],
  asOf: ClinicalDate,
  meta: { readonly revision: number },
): PatientRecord | null {
  const events = inClinicalOrder(effective);
  const end = visibleCount(events, asOf);

  let enrollment: Fact<'PatientEnrolled'> | undefined;
  let chemotherapy: Fact<'ChemotherapyStarted'> | undefined;
  let gpbmc: Fact<'GpbmcInfused'> | undefined;
  let conditioning: Fact<'ConditioningStarted'> | undefined;
  let day0Event: Fact<'StemCellsInfused'> | undefined;
  let death: Fact<'PatientDied'> | undefined;
  let withdrawal: Fact<'PatientWithdrawn'> | undefined;
  let relapses: Fact<'RelapseDiagnosed'>[] | undefined;
  let engraftments: Fact<'EngraftmentRecorded'>[] | undefined;
  let pendingUpdates: Fact<'AdverseEventUpdated'>[] | undefined;
  // The latest documented contact: any clinical event but a withdrawal, which records a status, not a sighting.
  let lastContact: EffectiveEvent | undefined;
  const aes: MutableAe[] = [];
  // The grade each AE was reported with, by its index in `aes`: the window's worst grade starts from it.
  const reportedGrades: CtcaeGrade[] = [];
  // structuralDeviations() reacts only to the enrollment and the treatment steps: handing it
  // just those (in clinical order) gives the same deviations at a fraction of the cost of
  // the whole history. A property test checks that the two agree.
  const steps: EffectiveEvent[] = [];

  for (let i = 0; i < end; i++) {
    const event = events[i];
    if (event.type !== 'PatientWithdrawn') lastContact = event;
    switch (event.type) {
      case 'PatientEnrolled':
        enrollment ??= event;
        steps.push(event);
        break;
      case 'ChemotherapyStarted':
        chemotherapy ??= event;
        steps.push(event);
        break;
      case 'GpbmcInfused':
        gpbmc ??= event;
        steps.push(event);
        break;
      case 'ConditioningStarted':
        conditioning ??= event;
        steps.push(event);
        break;
      case 'StemCellsInfused':
        day0Event ??= event;
        steps.push(event);
        break;
      case 'EngraftmentRecorded':
        (engraftments ??= []).push(event);
        break;
      case 'AdverseEventReported':
        if (!findAe(aes, event.data.aeId)) {
          const ae = reportedAe(event.eventId, event.occurredOn, event.data);
          aes.push(ae);
          reportedGrades.push(event.data.ctcaeGrade);
          // Updates seen before their report (dated earlier, or the same day but stored first) come first.
          if (pendingUpdates) pendingUpdates = applyPending(ae, pendingUpdates);
        }
        break;
      case 'AdverseEventUpdated': {
        const ae = findAe(aes, event.data.aeId);
        if (ae) applyUpdate(ae, event.eventId, event.occurredOn, event.data);
        else (pendingUpdates ??= []).push(event);
        break;
      }
      case 'RelapseDiagnosed':
        (relapses ??= []).push(event);
        break;
      case 'PatientDied':
        death ??= event;
        break;
      case 'PatientWithdrawn':
        withdrawal ??= event;
        break;
      case 'ResponseAssessed':
      case 'FollowUpRecorded':
        break;
      default: {
        const unexpected: never = event;
        throw new Error(`unknown event type ${(unexpected as { type: string }).type}`);
      }
    }
  }
  // Updates left pending name an AE never reported (or voided): nothing to apply them to.
  if (!enrollment) return null;

  const asOfDay = epochDayOf(asOf);
  const enrolledOn = enrollment.occurredOn;
  const enrolledDay = epochDayOf(enrolledOn);
  const day0 = day0Event ? day0Event.occurredOn : null;
  const day0Day = day0 === null ? 0 : epochDayOf(day0);
  const windowEndDay = day0Day + DAY100_WINDOW_LAST_DAY;
  const windowEnd = day0 === null ? null : dateOfEpochDay(windowEndDay);
  // The enrollment is a contact, so there is one.
  const lastContactOn = lastContact!.occurredOn;
  const lastKnownAlive = death && death.occurredOn < lastContactOn ? death.occurredOn : lastContactOn;
  const lastKnownAliveDay = epochDayOf(lastKnownAlive);
  // Disease and AE assessment stop at withdrawal (relapses and new AEs are refused after it): what
  // needs the patient assessed (PFS, GRFS, relapse/NRM, the primary endpoint, graft failure) sees
  // only contacts dated on or before it. Survival contacts after it still count for OS.
  const withdrawalDay = withdrawal ? epochDayOf(withdrawal.occurredOn) : NEVER;
  const lastAssessed = withdrawal ? lastContactBy(events, end, withdrawal.occurredOn, lastKnownAlive) : lastKnownAlive;
  const lastAssessedDay = epochDayOf(lastAssessed);

  // Phases: each enters on the date of its first event unless the patient is already further on.
  const { spans, offStudy } = phaseSpans(enrolledOn, enrollment.eventId, chemotherapy, gpbmc, conditioning, day0Event, day0Day, death, withdrawal, asOfDay);
  const offStudyDay = offStudy ? epochDayOf(offStudy.date) : NEVER;

  // AEs: where the onset falls, and relatedness under the attribution in force as of asOf.
  const bridgingAdverseEvents: AeSummary[] = [];
  const conditioningDay = conditioning ? epochDayOf(conditioning.occurredOn) : NEVER;
  for (let i = 0; i < aes.length; i++) {
    const ae = aes[i];
    ae.treatmentRelated = isTreatmentRelated(ae.category, ae.attribution);
    const onsetDay = epochDayOf(ae.onset);
    if (day0 !== null) ae.dayRelative = onsetDay - day0Day;
    ae.phaseAtOnset = periodOf(onsetDay, conditioningDay, day0 === null ? NEVER : day0Day);
    if (ae.phaseAtOnset === 'DAY100_WINDOW') ae.worstCtcaeGradeByDay100 = worstGradeBy(ae, reportedGrades[i], windowEndDay);
    if (ae.phaseAtOnset === 'BRIDGING') bridgingAdverseEvents.push(ae);
  }

  const primaryEndpoint = primary(day0, aes, reportedGrades, death, offStudy, offStudyDay, day0Day, windowEndDay, asOfDay, lastAssessedDay);

  // Time to event.
  const firstRelapse = relapses ? relapses[0] : undefined;
  const context: EndpointContext = { aes, relapses, death, lastKnownAlive, lastKnownAliveDay, lastAssessed, lastAssessedDay, withdrawalDay, offStudyDay, asOfDay };
  const endpoints = day0 === null ? null : endpointsFrom(day0, day0Day, context);
  const endpointsFromEnrollment = endpointsFrom(enrolledOn, enrolledDay, context);
  const fromEnrollment = competing(enrolledOn, enrolledDay, context);
  const relapseVsNrm: RelapseVsNrm = {
    event: fromEnrollment.event,
    date: fromEnrollment.date,
    daysFromDay0: day0 === null ? null : fromEnrollment.days + enrolledDay - day0Day,
    daysFromEnrollment: fromEnrollment.days,
    fromDay0: day0 === null ? null : competing(day0, day0Day, context),
  };

  // Milestone visits and the overdue ones.
  const milestoneVisits = day0 === null ? [] : visits(day0Day, events, end, offStudyDay, asOfDay);
  const deviations: Deviation[] = structuralDeviations(steps);
  let overdue = false;
  for (const visit of milestoneVisits) {
    if (visit.status !== 'OVERDUE') continue;
    overdue = true;
    deviations.push(overdueVisitDeviation(visit));
  }
  if (overdue) deviations.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));

  const engraftment = { neutrophil: null as ClinicalDate | null, platelet: null as ClinicalDate | null };
  if (engraftments && day0 !== null) {
    for (const e of engraftments) {
      if (e.occurredOn < day0) continue;
      if (e.data.lineage === 'NEUTROPHIL') engraftment.neutrophil ??= e.occurredOn;
      else engraftment.platelet ??= e.occurredOn;
    }
  }

  const peripheralBloodGraft = day0Event !== undefined && PERIPHERAL_BLOOD_GRAFTS.has(day0Event.data.graftSource);
  const graftFailure = !peripheralBloodGraft
    ? null
    : graftFailureAt(day0Day, engraftment.neutrophil === null ? null : epochDayOf(engraftment.neutrophil), engraftment.platelet !== null, offStudyDay, lastAssessedDay);

  const queries = eventQueries({ day0Event, peripheralBloodGraft, death, offStudy, aes, reportedGrades, engraftments, events, end, lastAssessedDay });
  for (const query of calendarQueries({ day0, day0EventId: day0Event?.eventId ?? null, offStudy, lastKnownAlive, milestoneVisits, asOf })) queries.push(query);
  sortQueries(queries);

  const data = enrollment.data;
  return {
    subjectId,
    asOf,
    revision: meta.revision,
    enrolledOn,
    diagnosis: { type: data.diagnosis.type, status: data.diagnosis.status, riskGroup: data.diagnosis.riskGroup ?? null, who: data.diagnosis.who ?? null },
    sex: data.sex,
    ageYears: data.ageYears,
    phase: spans[spans.length - 1].phase,
    phaseHistory: spans,
    offStudy,
    death: death ? { date: death.occurredOn, cause: death.data.cause, treatmentRelated: death.data.treatmentRelated, eventId: death.eventId } : null,
    relapsed: firstRelapse !== undefined,
    relapse: firstRelapse ? { date: firstRelapse.occurredOn, kind: firstRelapse.data.kind, eventId: firstRelapse.eventId } : null,
    day0,
    day0EventId: day0Event ? day0Event.eventId : null,
    day100Window: { start: day0, end: windowEnd, status: day0 === null ? 'NOT_STARTED' : asOfDay > windowEndDay ? 'CLOSED' : 'OPEN' },
    primaryEndpoint,
    bridgingAdverseEvents,
    adverseEvents: aes,
    endpoints,
    endpointsFromEnrollment,
    relapseVsNrm,
    lastKnownAlive,
    lastAssessed,
    engraftment,
    graftFailure,
    milestoneVisits,
    deviations,
    queries,
    timeline: buildTimeline(events, end, spans, day0 === null ? null : day0Day),
  };
}

/** Graft sources from peripheral blood, the grafts docs/clinical-rules.md section 1 defines graft failure for. */
const PERIPHERAL_BLOOD_GRAFTS: ReadonlySet<string> = new Set(['PBSC', 'GPBMC']);
/** Neutrophil engraftment is due by this day for a peripheral blood graft. */
const GRAFT_FAILURE_DAY = 30;

/**
 * The graft failure status from the visible events; day numbers are epoch days,
 * `neutrophilDay` null before engraftment. As for NO_EVENT, the calendar alone proves
 * nothing: GRAFT_FAILURE needs a documented contact (assessed: on or before any withdrawal)
 * dated after Day +30 with no engraftment dated by then. Until then, PENDING: an engraftment
 * on Day +29 or +30 is the first of three counts and may be recorded days later. A platelet
 * engraftment without a neutrophil one is missing data, not graft failure (marrow that makes
 * platelets has almost surely made neutrophils): PENDING, with a data query.
 */
function graftFailureAt(day0Day: number, neutrophilDay: number | null, plateletRecorded: boolean, offStudyDay: number, lastAssessedDay: number): GraftFailureStatus {
  const lastDay = day0Day + GRAFT_FAILURE_DAY;
  if (neutrophilDay !== null && neutrophilDay <= lastDay) return 'ENGRAFTED';
  if (offStudyDay <= lastDay) return 'NOT_EVALUABLE';
  if (lastAssessedDay > lastDay && (neutrophilDay !== null || !plateletRecorded)) return 'GRAFT_FAILURE';
  // Off study later without an assessment after Day +30 (lost to follow-up): it can no longer be known.
  return offStudyDay === NEVER ? 'PENDING' : 'NOT_EVALUABLE';
}

/** The AE period of an onset day; `conditioningDay` and `day0Day` are NEVER when absent. */
function periodOf(onsetDay: number, conditioningDay: number, day0Day: number): AePeriod {
  if (onsetDay < day0Day) return onsetDay >= conditioningDay ? 'CONDITIONING' : 'BRIDGING';
  return onsetDay - day0Day <= DAY100_WINDOW_LAST_DAY ? 'DAY100_WINDOW' : 'LATER';
}

/** The latest contact (any event but a withdrawal) dated on or before `date`, not after `cap` (the death or last contact). */
function lastContactBy(events: readonly EffectiveEvent[], end: number, date: ClinicalDate, cap: ClinicalDate): ClinicalDate {
  for (let i = end - 1; i >= 0; i--) {
    const event = events[i];
    if (event.type !== 'PatientWithdrawn' && event.occurredOn <= date) return event.occurredOn < cap ? event.occurredOn : cap;
  }
  return cap;
}

/** Each visible event with its Day number and the phase at the end of its date. */
function buildTimeline(events: readonly EffectiveEvent[], end: number, spans: readonly PhaseSpan[], day0Day: number | null): TimelineEntry[] {
  const timeline: TimelineEntry[] = [];
  let spanIndex = 0;
  let cachedDate = '';
  let cachedDay = 0;
  for (let i = 0; i < end; i++) {
    const event = events[i];
    if (event.occurredOn !== cachedDate) {
      cachedDate = event.occurredOn;
      cachedDay = epochDayOf(cachedDate);
    }
    while (spanIndex + 1 < spans.length && spans[spanIndex + 1].from <= cachedDate) spanIndex++;
    timeline.push({
      eventId: event.eventId,
      type: event.type,
      occurredOn: event.occurredOn,
      day: day0Day === null ? null : cachedDay - day0Day,
      phase: spans[spanIndex].phase,
      revision: event.revision,
      correctedBy: event.correctedBy,
      data: event.data,
    });
  }
  return timeline;
}

/** How many events, from the start of the clinical order, are dated on or before `asOf`. */
function visibleCount(events: readonly EffectiveEvent[], asOf: ClinicalDate): number {
  let end = 0;
  while (end < events.length && events[end].occurredOn <= asOf) end++;
  return end;
}

/** `effective` as given when already in clinical order (the usual case), else a sorted copy. */
function inClinicalOrder(effective: readonly EffectiveEvent[]): readonly EffectiveEvent[] {
  for (let i = 1; i < effective.length; i++) {
    if (compareClinicalOrder(effective[i - 1], effective[i]) > 0) return [...effective].sort(compareClinicalOrder);
  }
  return effective;
}

// ---------------------------------------------------------------------------------------------
// Adverse events

/** Applies, in clinical order, the pending updates of `ae`; returns the others (undefined when none remain). */
function applyPending(ae: MutableAe, pending: Fact<'AdverseEventUpdated'>[]): Fact<'AdverseEventUpdated'>[] | undefined {
  const others: Fact<'AdverseEventUpdated'>[] = [];
  for (const update of pending) {
    if (update.data.aeId === ae.aeId) applyUpdate(ae, update.eventId, update.occurredOn, update.data);
    else others.push(update);
  }
  return others.length > 0 ? others : undefined;
}

/** A patient has a handful of AEs: a scan beats building a map for each projection. */
function findAe(aes: readonly MutableAe[], aeId: string): MutableAe | undefined {
  for (const ae of aes) if (ae.aeId === aeId) return ae;
  return undefined;
}

function reportedAe(eventId: string, onset: ClinicalDate, data: AdverseEventReportedData): MutableAe {
  return {
    aeId: data.aeId,
    eventId,
    term: data.term,
    category: data.category,
    onset,
    dayRelative: null,
    phaseAtOnset: 'BRIDGING',
    ctcaeGrade: data.ctcaeGrade,
    worstCtcaeGrade: data.ctcaeGrade,
    gvhdGrade: data.gvhdGrade,
    worstGvhdGrade: data.gvhdGrade,
    serious: data.serious,
    attribution: data.attribution,
    treatmentRelated: false,
    suspectedCause: data.suspectedCause,
    resolvedOn: undefined,
    systemicTherapy: data.systemicTherapy,
    severeAcuteGvhdOn: data.category === 'ACUTE_GVHD' && isSevereAcuteGrade(data.gvhdGrade) ? onset : undefined,
    systemicTherapyOn: data.category === 'CHRONIC_GVHD' && data.systemicTherapy === true ? onset : undefined,
    changes: [],
  };
}

/**
 * Applies one update in clinical order. A worsening counts from the update's date
 * (docs/clinical-rules.md section 3), never before the onset even if the update is dated earlier.
 */
function applyUpdate(ae: MutableAe, eventId: string, date: ClinicalDate, data: AdverseEventUpdatedData): void {
  const change: Mutable<AeChange> = { date, eventId };
  if (data.ctcaeGrade !== undefined) {
    ae.ctcaeGrade = data.ctcaeGrade;
    if (data.ctcaeGrade > ae.worstCtcaeGrade) ae.worstCtcaeGrade = data.ctcaeGrade;
    change.ctcaeGrade = data.ctcaeGrade;
  }
  if (data.gvhdGrade !== undefined) {
    ae.gvhdGrade = data.gvhdGrade;
    if (ae.worstGvhdGrade === undefined || GVHD_RANK[data.gvhdGrade] > GVHD_RANK[ae.worstGvhdGrade]) ae.worstGvhdGrade = data.gvhdGrade;
    if (ae.category === 'ACUTE_GVHD' && ae.severeAcuteGvhdOn === undefined && isSevereAcuteGrade(data.gvhdGrade)) {
      ae.severeAcuteGvhdOn = later(date, ae.onset);
    }
    change.gvhdGrade = data.gvhdGrade;
  }
  if (data.systemicTherapy !== undefined) {
    ae.systemicTherapy = data.systemicTherapy;
    if (ae.category === 'CHRONIC_GVHD' && ae.systemicTherapyOn === undefined && data.systemicTherapy) {
      ae.systemicTherapyOn = later(date, ae.onset);
    }
    change.systemicTherapy = data.systemicTherapy;
  }
  if (data.attribution !== undefined) {
    ae.attribution = data.attribution;
    change.attribution = data.attribution;
  }
  if (data.resolvedOn !== undefined) {
    ae.resolvedOn = data.resolvedOn;
    change.resolvedOn = data.resolvedOn;
  }
  ae.changes.push(change);
}

// ---------------------------------------------------------------------------------------------
// Phases

interface PhaseChange {
  readonly phase: Phase;
  readonly from: ClinicalDate;
  readonly eventId?: string;
  readonly reason?: string;
}

/** Insertion sort by (date, protocol order): a handful of items, nearly always in order already. */
function sortPhaseChanges(changes: PhaseChange[]): void {
  for (let i = 1; i < changes.length; i++) {
    const item = changes[i];
    let j = i - 1;
    while (j >= 0 && (changes[j].from > item.from || (changes[j].from === item.from && PHASE_RANK[changes[j].phase] > PHASE_RANK[item.phase]))) {
      changes[j + 1] = changes[j];
      j--;
    }
    changes[j + 1] = item;
  }
}

function phaseSpans(
  enrolledOn: ClinicalDate,
  enrollmentId: string,
  chemotherapy: Fact<'ChemotherapyStarted'> | undefined,
  gpbmc: Fact<'GpbmcInfused'> | undefined,
  conditioning: Fact<'ConditioningStarted'> | undefined,
  day0Event: Fact<'StemCellsInfused'> | undefined,
  day0Day: number,
  death: Fact<'PatientDied'> | undefined,
  withdrawal: Fact<'PatientWithdrawn'> | undefined,
  asOfDay: number,
): { spans: PhaseSpan[]; offStudy: OffStudy | null } {
  // The first off-study event; a death outranks a withdrawal of the same date.
  let offStudy: OffStudy | null = null;
  if (death && (!withdrawal || death.occurredOn <= withdrawal.occurredOn)) {
    offStudy = { date: death.occurredOn, reason: 'DIED', detail: death.data.cause, eventId: death.eventId };
  } else if (withdrawal) {
    offStudy = { date: withdrawal.occurredOn, reason: 'WITHDRAWN', detail: withdrawal.data.reason, eventId: withdrawal.eventId };
  }

  // Candidates in (date, protocol order): independent of the revisions of same-day events.
  const candidates: PhaseChange[] = [];
  if (chemotherapy) candidates.push({ phase: 'BRIDGING_CHEMOTHERAPY', from: chemotherapy.occurredOn, eventId: chemotherapy.eventId });
  if (gpbmc) candidates.push({ phase: 'BRIDGING_GPBMC', from: gpbmc.occurredOn, eventId: gpbmc.eventId });
  if (conditioning) candidates.push({ phase: 'CONDITIONING', from: conditioning.occurredOn, eventId: conditioning.eventId });
  if (day0Event) {
    candidates.push({ phase: 'EARLY_POST_TRANSPLANT', from: day0Event.occurredOn, eventId: day0Event.eventId });
    if (day0Day + LONG_TERM_FOLLOW_UP_FROM_DAY <= asOfDay) {
      candidates.push({ phase: 'LONG_TERM_FOLLOW_UP', from: dateOfEpochDay(day0Day + LONG_TERM_FOLLOW_UP_FROM_DAY) });
      if (day0Day + COMPLETED_FROM_DAY <= asOfDay) candidates.push({ phase: 'COMPLETED', from: dateOfEpochDay(day0Day + COMPLETED_FROM_DAY) });
    }
  }
  if (offStudy) {
    candidates.push({ phase: 'OFF_STUDY', from: offStudy.date, eventId: offStudy.eventId, reason: `${offStudy.reason}:${offStudy.detail}` });
  }
  sortPhaseChanges(candidates);

  const changes: PhaseChange[] = [{ phase: 'ENROLLED', from: enrolledOn, eventId: enrollmentId }];
  let current: Phase = 'ENROLLED';
  for (const candidate of candidates) {
    // OFF_STUDY and COMPLETED are final; otherwise the patient only moves forward.
    if (current === 'OFF_STUDY' || current === 'COMPLETED') break;
    if (PHASE_RANK[candidate.phase] <= PHASE_RANK[current]) continue;
    // Long-term follow-up and completion follow from Day 0 only while the patient is in its phases.
    if ((candidate.phase === 'LONG_TERM_FOLLOW_UP' || candidate.phase === 'COMPLETED') && PHASE_RANK[current] < PHASE_RANK.EARLY_POST_TRANSPLANT) continue;
    changes.push(candidate);
    current = candidate.phase;
  }
  // A death or withdrawal after completion does not take the patient off a study already completed.
  if (current !== 'OFF_STUDY') offStudy = null;

  const spans: PhaseSpan[] = [];
  for (let i = 0; i < changes.length; i++) {
    const change = changes[i];
    let to: ClinicalDate | null = null;
    if (i + 1 < changes.length) {
      const next = changes[i + 1].from;
      to = next === change.from ? change.from : dateOfEpochDay(epochDayOf(next) - 1);
    }
    const span: Mutable<PhaseSpan> = { phase: change.phase, from: change.from, to };
    if (change.eventId !== undefined) span.eventId = change.eventId;
    if (change.reason !== undefined) span.reason = change.reason;
    spans.push(span);
  }
  return { spans, offStudy };
}

// ---------------------------------------------------------------------------------------------
// Primary endpoint

/** The category a treatment-related death of each cause counts in; a death from relapse is an efficacy event, never an AE. */
const DEATH_CATEGORY: Record<Fact<'PatientDied'>['data']['cause'], AeCategory | null> = {
  RELAPSE: null,
  GVHD: 'ACUTE_GVHD',
  INFECTION: 'INFECTION',
  ORGAN_FAILURE: 'ORGAN_DYSFUNCTION',
  OTHER: 'OTHER',
};

function primary(
  day0: ClinicalDate | null,
  aes: readonly MutableAe[],
  reportedGrades: readonly CtcaeGrade[],
  death: Fact<'PatientDied'> | undefined,
  offStudy: OffStudy | null,
  offStudyDay: number,
  day0Day: number,
  windowEndDay: number,
  asOfDay: number,
  lastAssessedDay: number,
): PrimaryEndpoint {
  if (day0 === null) {
    const reason = offStudy === null ? 'BEFORE_TRANSPLANT' : offStudy.reason === 'DIED' ? 'DIED_BEFORE_TRANSPLANT' : 'WITHDRAWN_BEFORE_TRANSPLANT';
    return { status: 'NOT_APPLICABLE', reason, eventDate: null, byCategory: [] };
  }
  if (offStudy && offStudyDay < day0Day) {
    // Off study before a Day 0 recorded afterwards: the patient never entered the window on study.
    return { status: 'NOT_APPLICABLE', reason: offStudy.reason === 'DIED' ? 'DIED_BEFORE_TRANSPLANT' : 'WITHDRAWN_BEFORE_TRANSPLANT', eventDate: null, byCategory: [] };
  }
  let eventDate: ClinicalDate | null = null;
  let byCategory: Mutable<PrimaryCategoryCount>[] | undefined;
  const rowOf = (category: AeCategory): Mutable<PrimaryCategoryCount> => {
    byCategory ??= [];
    let row = byCategory.find((r) => r.category === category);
    if (!row) {
      row = { category, count: 0, worstGrade: 0, aeIds: [] };
      byCategory.push(row);
    }
    return row;
  };
  // A treatment-related death in the window counts as a grade-5 event of its cause's category,
  // unless a grade-5 AE counted in the window stands for it (dated on the death): once per death.
  const deathDay = death ? epochDayOf(death.occurredOn) : NEVER;
  const deathCategory = death && death.data.treatmentRelated && deathDay >= day0Day && deathDay <= windowEndDay ? DEATH_CATEGORY[death.data.cause] : null;
  let deathCounted = false;
  for (let i = 0; i < aes.length; i++) {
    const ae = aes[i];
    if (ae.phaseAtOnset !== 'DAY100_WINDOW' || !ae.treatmentRelated) continue;
    if (eventDate === null || ae.onset < eventDate) eventDate = ae.onset;
    const row = rowOf(ae.category);
    row.count++;
    const worstInWindow = ae.worstCtcaeGradeByDay100!;
    if (worstInWindow > row.worstGrade) row.worstGrade = worstInWindow;
    (row.aeIds as string[]).push(ae.aeId);
    if (death && grade5Date(ae, reportedGrades[i]) === death.occurredOn) deathCounted = true;
  }
  if (deathCategory !== null && !deathCounted) {
    const row = rowOf(deathCategory);
    row.count++;
    row.worstGrade = 5;
    row.deathEventId = death!.eventId;
    if (eventDate === null || death!.occurredOn < eventDate) eventDate = death!.occurredOn;
  }
  if (byCategory) {
    byCategory.sort((a, b) => AE_CATEGORIES.indexOf(a.category) - AE_CATEGORIES.indexOf(b.category));
    return { status: 'EVENT', eventDate, byCategory };
  }
  if (offStudy && offStudyDay <= windowEndDay) return { status: 'INCOMPLETE', reason: offStudy.reason, eventDate: null, byCategory: [] };
  if (asOfDay <= windowEndDay) return { status: 'OPEN', eventDate: null, byCategory: [] };
  // The calendar alone does not make "no event": an AE of the window may simply not be reported yet.
  if (lastAssessedDay < windowEndDay) {
    // Off study after the window without having been assessed through it: never evaluable.
    if (offStudy) return { status: 'INCOMPLETE', reason: offStudy.reason, eventDate: null, byCategory: [] };
    return { status: 'OPEN', reason: 'NOT_OBSERVED_THROUGH_DAY_100', eventDate: null, byCategory: [] };
  }
  return { status: 'NO_EVENT', eventDate: null, byCategory: [] };
}

/**
 * The worst CTCAE grade an AE reached by the end of a day: its reported grade and every
 * grade change dated on or before it (a change dated before the onset counts from the
 * onset, which is what the caller compares). A worsening counts from its date (docs/clinical-rules.md
 * section 3), so one after Day +100 is not a grade of the window.
 */
function worstGradeBy(ae: MutableAe, reportedGrade: CtcaeGrade, lastDay: number): CtcaeGrade {
  let worst = reportedGrade;
  for (const change of ae.changes) {
    if (change.ctcaeGrade !== undefined && change.ctcaeGrade > worst && epochDayOf(change.date) <= lastDay) worst = change.ctcaeGrade;
  }
  return worst;
}

// ---------------------------------------------------------------------------------------------
// Time to event

interface EndpointContext {
  readonly aes: readonly MutableAe[];
  readonly relapses: readonly Fact<'RelapseDiagnosed'>[] | undefined;
  readonly death: Fact<'PatientDied'> | undefined;
  /** OS censoring: the latest documented contact, survival contacts after a withdrawal included. */
  readonly lastKnownAlive: ClinicalDate;
  readonly lastKnownAliveDay: number;
  /** PFS, GRFS and relapse/NRM censoring: the latest documented contact on or before the withdrawal. */
  readonly lastAssessed: ClinicalDate;
  readonly lastAssessedDay: number;
  /** Events after it do not count for the assessed endpoints; NEVER without a withdrawal. */
  readonly withdrawalDay: number;
  readonly offStudyDay: number;
  readonly asOfDay: number;
}

/** The first relapse dated on or after `origin`. */
function relapseFrom(origin: ClinicalDate, relapses: EndpointContext['relapses']): ClinicalDate | null {
  if (relapses) for (const r of relapses) if (r.occurredOn >= origin) return r.occurredOn;
  return null;
}

/** `date` when it is dated on or before the withdrawal, else null: disease assessment stopped there. */
function assessed(date: ClinicalDate | null | undefined, context: EndpointContext): ClinicalDate | null {
  return date === null || date === undefined || epochDayOf(date) > context.withdrawalDay ? null : date;
}

function endpointsFrom(origin: ClinicalDate, originDay: number, context: EndpointContext): Endpoints {
  // Events before the origin do not count for it (a relapse during bridging is not a post-transplant relapse).
  const deathOn = context.death && context.death.occurredOn >= origin ? context.death.occurredOn : null;
  // PFS and GRFS see only what was dated on or before a withdrawal: a death after it may
  // follow a relapse nobody assessed, so it censors them at the last assessment instead.
  const assessedDeathOn = assessed(deathOn, context);
  const relapseOn = assessed(relapseFrom(origin, context.relapses), context);
  let severeAcuteOn: ClinicalDate | null = null;
  let systemicOn: ClinicalDate | null = null;
  for (const ae of context.aes) {
    const a = assessed(ae.severeAcuteGvhdOn, context);
    if (a !== null && a >= origin && (severeAcuteOn === null || a < severeAcuteOn)) severeAcuteOn = a;
    const c = assessed(ae.systemicTherapyOn, context);
    if (c !== null && c >= origin && (systemicOn === null || c < systemicOn)) systemicOn = c;
  }
  // Same-day ties go to the type listed first: GVHD, then relapse, then death.
  let pfsOn = relapseOn;
  let pfsType: EndpointEventType = 'RELAPSE';
  if (assessedDeathOn !== null && (pfsOn === null || assessedDeathOn < pfsOn)) {
    pfsOn = assessedDeathOn;
    pfsType = 'DEATH';
  }
  let grfsOn = pfsOn;
  let grfsType: EndpointEventType = pfsType;
  if (systemicOn !== null && (grfsOn === null || systemicOn <= grfsOn)) {
    grfsOn = systemicOn;
    grfsType = 'CHRONIC_GVHD_SYSTEMIC';
  }
  if (severeAcuteOn !== null && (grfsOn === null || severeAcuteOn <= grfsOn)) {
    grfsOn = severeAcuteOn;
    grfsType = 'ACUTE_GVHD_III_IV';
  }
  return {
    OS: outcome(originDay, context, deathOn, 'DEATH', context.lastKnownAlive, context.lastKnownAliveDay),
    PFS: outcome(originDay, context, pfsOn, pfsType, context.lastAssessed, context.lastAssessedDay),
    GRFS: outcome(originDay, context, grfsOn, grfsType, context.lastAssessed, context.lastAssessedDay),
  };
}

/**
 * The event on `date`, or (no date) censored at `censorOn`. The milestones are judged from
 * the outcome's own date (`knownThroughDay` below): nobody can be known event-free for an
 * endpoint past the last date its events could have been seen.
 */
function outcome(originDay: number, context: EndpointContext, date: ClinicalDate | null, eventType: EndpointEventType, censorOn: ClinicalDate, censorDay: number): EndpointOutcome {
  const eventDay = date === null ? NEVER : epochDayOf(date);
  const knownThroughDay = date === null ? censorDay : eventDay;
  const at365 = milestoneStatusAt(originDay + ENDPOINT_MILESTONES[0], eventDay, knownThroughDay, context.offStudyDay, context.asOfDay);
  const at730 = milestoneStatusAt(originDay + ENDPOINT_MILESTONES[1], eventDay, knownThroughDay, context.offStudyDay, context.asOfDay);
  const milestones = MILESTONE_PAIRS[at365][at730];
  if (date === null) return { event: false, date: censorOn, days: censorDay - originDay, milestones };
  return { event: true, date, days: eventDay - originDay, eventType, milestones };
}

/**
 * The 25 possible milestone objects, shared and frozen. Keys '365' and '730' are array
 * indices to V8, which makes each fresh object slow to build; a report builds six per patient.
 */
const MILESTONE_PAIRS = buildMilestonePairs();

function buildMilestonePairs(): Record<MilestoneStatus, Record<MilestoneStatus, EndpointOutcome['milestones']>> {
  const pairs = {} as Record<MilestoneStatus, Record<MilestoneStatus, EndpointOutcome['milestones']>>;
  for (const at365 of MILESTONE_STATUSES) {
    pairs[at365] = {} as Record<MilestoneStatus, EndpointOutcome['milestones']>;
    for (const at730 of MILESTONE_STATUSES) pairs[at365][at730] = Object.freeze({ '365': at365, '730': at730 });
  }
  return pairs;
}

/**
 * The status of a time-to-event milestone; day numbers are epoch days. `knownThroughDay` is
 * the outcome's date: the event, or the endpoint's own censoring date.
 */
export function milestoneStatusAt(milestoneDay: number, eventDay: number, knownThroughDay: number, offStudyDay: number, asOfDay: number): MilestoneStatus {
  if (eventDay <= milestoneDay) return 'EVENT';
  // Known event-free on the milestone: assessed on or after it (an event patient is event-free until the event).
  if (knownThroughDay >= milestoneDay) return 'EVENT_FREE';
  if (milestoneDay > asOfDay) return 'PENDING';
  if (offStudyDay < milestoneDay) return 'CENSORED';
  return 'MISSING';
}

/**
 * Relapse versus death without a prior relapse; a relapse on the day of death counts as
 * relapse. A death whose cause is RELAPSE with no relapse recorded counts as relapse on
 * the date of death: the patient did not die in remission, so it is not non-relapse
 * mortality, and the death date is the latest the relapse can have been.
 */
function competing(origin: ClinicalDate, originDay: number, context: EndpointContext): CompetingOutcome {
  // As for PFS: a death after a withdrawal cannot be told from a death after an unassessed relapse.
  const deathOn = assessed(context.death && context.death.occurredOn >= origin ? context.death.occurredOn : null, context);
  const relapseOn = assessed(relapseFrom(origin, context.relapses), context) ?? (deathOn !== null && context.death!.data.cause === 'RELAPSE' ? deathOn : null);
  if (relapseOn !== null && (deathOn === null || relapseOn <= deathOn)) {
    return { event: 'RELAPSE', date: relapseOn, days: epochDayOf(relapseOn) - originDay };
  }
  if (deathOn !== null) return { event: 'NRM', date: deathOn, days: epochDayOf(deathOn) - originDay };
  return { event: null, date: context.lastAssessed, days: context.lastAssessedDay - originDay };
}

// ---------------------------------------------------------------------------------------------
// Milestone visits

const distance = (a: number, b: number): number => (a < b ? b - a : a - b);

function visits(day0Day: number, events: readonly EffectiveEvent[], end: number, offStudyDay: number, asOfDay: number): MilestoneVisit[] {
  const result: MilestoneVisit[] = [];
  let cursor = 0;
  for (let m = 0; m < MILESTONE_VISIT_DAYS.length; m++) {
    const day = MILESTONE_VISIT_DAYS[m];
    const dueDay = day0Day + day;
    const fromDay = dueDay - MILESTONE_VISIT_TOLERANCE_DAYS;
    const toDay = dueDay + MILESTONE_VISIT_TOLERANCE_DAYS;
    const windowFrom = dateOfEpochDay(fromDay);
    const windowTo = dateOfEpochDay(toDay);
    // The windows do not overlap and events are in date order, so one cursor serves them all.
    while (cursor < end && events[cursor].occurredOn < windowFrom) cursor++;
    let contactOn: ClinicalDate | null = null;
    let contactDistance = 0;
    for (let i = cursor; i < end && events[i].occurredOn <= windowTo; i++) {
      const on = events[i].occurredOn;
      // A withdrawal records a status, not a visit.
      if (on === contactOn || events[i].type === 'PatientWithdrawn') continue;
      const d = distance(epochDayOf(on), dueDay);
      if (contactOn === null || d < contactDistance) {
        contactOn = on;
        contactDistance = d;
      }
    }
    const status = visitStatusAt(dueDay, contactOn, offStudyDay, asOfDay);
    result.push({ day, due: dateOfEpochDay(dueDay), windowFrom, windowTo, status, contactOn });
  }
  return result;
}

/** A milestone visit's status as of a date; day numbers are epoch days. */
export function visitStatusAt(dueDay: number, contactOn: ClinicalDate | null, offStudyDay: number, asOfDay: number): MilestoneVisitStatus {
  if (offStudyDay < dueDay) return 'NOT_REQUIRED';
  if (contactOn !== null) return 'DONE';
  if (asOfDay < dueDay - MILESTONE_VISIT_TOLERANCE_DAYS) return 'UPCOMING';
  if (asOfDay <= dueDay + MILESTONE_VISIT_TOLERANCE_DAYS) return 'DUE';
  return 'OVERDUE';
}

/** The deviation an overdue visit raises, dated the day after its window closed. */
export function overdueVisitDeviation(visit: MilestoneVisit): Deviation {
  return {
    code: 'MILESTONE_VISIT_OVERDUE',
    date: dateOfEpochDay(epochDayOf(visit.windowTo) + 1),
    milestoneDay: visit.day,
    message: `no contact within +/-${MILESTONE_VISIT_TOLERANCE_DAYS} days of the Day +${visit.day} visit due ${visit.due}`,
  };
}
