/**
 * Data queries: where the history is incomplete or inconsistent, the record asks the site
 * a question instead of reading the gap as a clinical finding. Every query is derived from
 * the effective history as of the date, so recording the answer (the missing event, or a
 * correction) removes it at the next read, with nothing else to close.
 *
 * Two kinds: those that follow from the events alone (`eventQueries`), and those the
 * calendar raises while nothing is recorded (`calendarQueries`: a window passed, a visit
 * overdue), which lists and reports carry forward to later dates from a stored summary.
 */
import type { ClinicalDate, CtcaeGrade } from '../events/clinical-event';
import type { EffectiveEvent } from '../history/effective-history';
import { dateOfEpochDay, epochDayOf } from './epoch-day';
import type { AeSummary, DataQuery, MilestoneVisit, OffStudy, QueryCode } from './patient-record';
import { QUERY_CODES } from './patient-record';

type Fact<T extends EffectiveEvent['type']> = Extract<EffectiveEvent, { readonly type: T }>;

/** Neutrophil engraftment is due by this day for a peripheral blood graft. */
const ENGRAFTMENT_DUE_DAY = 30;
const WINDOW_LAST_DAY = 100;
/** An AE of this grade or worse left without a resolution date when the patient left the study is asked about. */
const UNRESOLVED_GRADE = 3;

/** The codes the calendar raises; the others follow from the events. */
export const CALENDAR_QUERY_CODES: ReadonlySet<QueryCode> = new Set<QueryCode>(['DAY100_NOT_OBSERVED', 'MILESTONE_VISIT_OVERDUE']);

export interface EventQueryFacts {
  readonly day0Event: Fact<'StemCellsInfused'> | undefined;
  readonly peripheralBloodGraft: boolean;
  readonly death: Fact<'PatientDied'> | undefined;
  readonly offStudy: OffStudy | null;
  readonly aes: readonly AeSummary[];
  /** The grade each AE was reported with, by index in `aes`. */
  readonly reportedGrades: readonly CtcaeGrade[];
  readonly engraftments: readonly Fact<'EngraftmentRecorded'>[] | undefined;
  /** The visible events in clinical order: `events[0..end)`. */
  readonly events: readonly EffectiveEvent[];
  readonly end: number;
  /** The latest documented contact on or before any withdrawal, as an epoch day. */
  readonly lastAssessedDay: number;
}

/** The queries that follow from the visible events alone, whatever the calendar says. */
export function eventQueries(f: EventQueryFacts): DataQuery[] {
  const queries: DataQuery[] = [];
  if (f.death && f.death.data.cause !== 'RELAPSE' && !f.aes.some((ae, i) => grade5Date(ae, f.reportedGrades[i]) === f.death!.occurredOn)) {
    const { occurredOn, data } = f.death;
    queries.push({
      code: 'DEATH_WITHOUT_GRADE5_AE',
      raisedOn: occurredOn,
      eventIds: [f.death.eventId],
      question: `The patient died on ${occurredOn} (cause ${data.cause}), but no adverse event reached grade 5 on that date. Which adverse event led to the death? Report it, or update it to grade 5, dated ${occurredOn}; if the death was due to relapse, correct the cause.`,
    });
  }
  const engraftment = engraftmentQuery(f);
  if (engraftment) queries.push(engraftment);
  if (f.offStudy) {
    const offOn = f.offStudy.date;
    for (const ae of f.aes) {
      // A fatal AE ends with the death; it has no resolution to record.
      if (ae.onset > offOn || ae.worstCtcaeGrade < UNRESOLVED_GRADE || ae.ctcaeGrade === 5 || ae.resolvedOn !== undefined) continue;
      queries.push({
        code: 'AE_UNRESOLVED_AT_OFF_STUDY',
        raisedOn: offOn,
        eventIds: [ae.eventId, f.offStudy.eventId],
        question: `Adverse event ${ae.aeId} (${ae.term}, worst grade ${ae.worstCtcaeGrade}, onset ${ae.onset}) has no resolution date, and the patient went off study on ${offOn} (${f.offStudy.reason === 'DIED' ? 'died' : 'withdrawn'}). Was it resolved, and on which date? Record the resolution date with an update; if it led to the death, update it to grade 5.`,
      });
    }
  }
  return queries;
}

/**
 * NEUTROPHIL_ENGRAFTMENT_NOT_DOCUMENTED: a platelet engraftment with no neutrophil engraftment
 * on or before it (any graft), or, for a peripheral blood graft, an assessment after Day +30
 * with no neutrophil engraftment recorded. A hematological AE reported from Day +30 on (the
 * site reporting graft failure) answers the second form.
 */
function engraftmentQuery(f: EventQueryFacts): DataQuery | null {
  const day0 = f.day0Event;
  if (!day0) return null;
  let neutrophil: Fact<'EngraftmentRecorded'> | undefined;
  let platelet: Fact<'EngraftmentRecorded'> | undefined;
  for (const e of f.engraftments ?? []) {
    if (e.occurredOn < day0.occurredOn) continue;
    if (e.data.lineage === 'NEUTROPHIL') neutrophil ??= e;
    else platelet ??= e;
  }
  if (platelet && (!neutrophil || neutrophil.occurredOn > platelet.occurredOn)) {
    return {
      code: 'NEUTROPHIL_ENGRAFTMENT_NOT_DOCUMENTED',
      raisedOn: platelet.occurredOn,
      eventIds: neutrophil ? [platelet.eventId, neutrophil.eventId] : [platelet.eventId],
      question: neutrophil
        ? `Platelet engraftment is recorded on ${platelet.occurredOn}, before neutrophil engraftment on ${neutrophil.occurredOn}. Are both dates right? Correct whichever is wrong.`
        : `Platelet engraftment is recorded on ${platelet.occurredOn}, but no neutrophil engraftment. Was neutrophil engraftment reached, and on which date? Record it.`,
    };
  }
  if (!f.peripheralBloodGraft || neutrophil) return null;
  const day0Day = epochDayOf(day0.occurredOn);
  const dueDay = day0Day + ENGRAFTMENT_DUE_DAY;
  if (f.lastAssessedDay <= dueDay) return null;
  const due = dateOfEpochDay(dueDay);
  if (f.aes.some((ae) => ae.category === 'HEMATOLOGICAL_TOXICITY' && ae.onset >= due)) return null;
  // The first documented contact after Day +30 is when the question could first be asked; of
  // several that day, the least event id, so the answer does not depend on the order of arrival.
  let contact: EffectiveEvent | undefined;
  for (let i = 0; i < f.end; i++) {
    const event = f.events[i];
    if (event.type === 'PatientWithdrawn' || event.occurredOn <= due) continue;
    if (contact && event.occurredOn > contact.occurredOn) break;
    if (!contact || event.eventId < contact.eventId) contact = event;
  }
  return {
    code: 'NEUTROPHIL_ENGRAFTMENT_NOT_DOCUMENTED',
    raisedOn: contact!.occurredOn,
    eventIds: [day0.eventId, contact!.eventId],
    question: `Day +30 of the ${day0.data.graftSource} graft infused on ${day0.occurredOn} was ${due}, and the patient was assessed on ${contact!.occurredOn}, but no neutrophil engraftment is recorded. Was it reached, and on which date? Record it; if it was not, report graft failure as a hematological adverse event.`,
  };
}

export interface CalendarQueryFacts {
  readonly day0: ClinicalDate | null;
  readonly day0EventId: string | null;
  readonly offStudy: OffStudy | null;
  readonly lastKnownAlive: ClinicalDate;
  readonly milestoneVisits: readonly MilestoneVisit[];
  readonly asOf: ClinicalDate;
}

/** The queries the calendar raises as of `asOf` while nothing is recorded: the same from a record or a summary. */
export function calendarQueries(f: CalendarQueryFacts): DataQuery[] {
  const queries: DataQuery[] = [];
  if (f.day0 === null || f.day0EventId === null) return queries;
  const day0Day = epochDayOf(f.day0);
  const day100 = dateOfEpochDay(day0Day + WINDOW_LAST_DAY);
  if (f.offStudy === null && f.asOf > day100 && f.lastKnownAlive < day100) {
    queries.push({
      code: 'DAY100_NOT_OBSERVED',
      raisedOn: dateOfEpochDay(day0Day + WINDOW_LAST_DAY + 1),
      eventIds: [f.day0EventId],
      question: `The day-100 window (Day 0 ${f.day0} to Day +100 ${day100}) is over, and the latest documented contact is ${f.lastKnownAlive} (Day +${epochDayOf(f.lastKnownAlive) - day0Day}). Was the patient seen on or after ${day100}? Record that contact, or the death or withdrawal if the patient left the study.`,
    });
  }
  for (const visit of f.milestoneVisits) {
    if (visit.status !== 'OVERDUE') continue;
    queries.push({
      code: 'MILESTONE_VISIT_OVERDUE',
      raisedOn: dateOfEpochDay(epochDayOf(visit.windowTo) + 1),
      eventIds: [f.day0EventId],
      question: `No contact is recorded between ${visit.windowFrom} and ${visit.windowTo} for the Day +${visit.day} visit due ${visit.due}. Did the visit take place? Record it on its date, or the death or withdrawal if the patient had left the study.`,
    });
  }
  return queries;
}

/** Date order, then the catalogue order of codes, then the first event id: stable whatever the path. */
export function sortQueries(queries: DataQuery[]): DataQuery[] {
  return queries.sort(
    (a, b) =>
      (a.raisedOn < b.raisedOn ? -1 : a.raisedOn > b.raisedOn ? 1 : 0) ||
      QUERY_CODES.indexOf(a.code) - QUERY_CODES.indexOf(b.code) ||
      (a.eventIds[0] < b.eventIds[0] ? -1 : a.eventIds[0] > b.eventIds[0] ? 1 : 0),
  );
}

/** The date an AE reached grade 5: its onset if reported so, else its first update to grade 5 (not before the onset). */
export function grade5Date(ae: AeSummary, reportedGrade: CtcaeGrade): ClinicalDate | null {
  if (reportedGrade === 5) return ae.onset;
  for (const change of ae.changes) if (change.ctcaeGrade === 5) return change.date > ae.onset ? change.date : ae.onset;
  return null;
}
