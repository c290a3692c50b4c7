import type { ClinicalDate, ClinicalEvent, ClinicalFact, CorrectionEvent, EventType } from '../events/clinical-event';
import { isCorrectionType } from '../events/clinical-event';
import { effectiveHistory, type EffectiveEvent, type HistoryEntry } from '../history/effective-history';
import { structuralDeviations, type Deviation } from '../rules/deviations';
import { checkHistory, type HistoryViolation } from './check-history';
import type { RuleCode, RuleViolation } from './rule-codes';

export { RULE_CODES, type FailedCriterion, type RuleCode, type RuleViolation } from './rule-codes';
export { checkHistory, type HistoryViolation } from './check-history';

export type Decision =
  | { readonly kind: 'accepted'; readonly events: readonly ClinicalEvent[]; readonly deviations: readonly Deviation[] }
  | { readonly kind: 'rejected'; readonly violations: readonly RuleViolation[] };

/**
 * Rules a new fact may leave broken for a while because facts arrive out of order: an
 * engraftment entered before its Day 0. A correction or a void that leaves one broken is
 * refused, since it takes away what a standing event stands on and nothing is on its way
 * to restore it.
 */
const AWAITS_A_LATER_FACT: ReadonlySet<RuleCode> = new Set<RuleCode>(['ENGRAFTMENT_WITHOUT_DAY0']);

/** Longest list of events to void or correct that a message spells out; `causes` has them all. */
const MAX_EVENTS_NAMED = 5;

/** One incoming event that reached the history, and how many entries the history had with it. */
interface Step {
  readonly event: ClinicalEvent;
  readonly eventIndex: number;
  readonly entryCount: number;
}

/**
 * Decides whether one atomic batch may be appended to a patient's stream.
 *
 * One rule set: `checkHistory` validates a whole effective history, and the batch is
 * judged by the effective history it would leave, all of its events applied (provisional
 * revisions after the last stored one). So an atomic batch may put things right in any
 * order: [void Day 0, void its engraftment] is accepted as [void the engraftment, void
 * Day 0] is. What the final history newly breaks (violations of it, minus those already
 * standing in the stored history, which are never blamed on the batch) is reported on the
 * event that last brought each violation in, walking the batch in order. For a fact that
 * is usually a rule about the fact itself, but may be about another event (a death dated
 * before a recorded follow-up). For a correction or a void it is CORRECTION_BREAKS_RULES,
 * whose causes name each event at fault (id, type, date) and the rule it would break.
 *
 * Event ids, and the targets of corrections and voids, are checked event by event in
 * batch order: a correction may target an event earlier in the batch, not a later one.
 * A rejected event still counts as present for the events after it, so every violation
 * of the batch is collected.
 *
 * `deviations` are the structural protocol deviations the batch adds.
 */
export function decide(history: readonly HistoryEntry[], incoming: readonly ClinicalEvent[], today: ClinicalDate): Decision {
  const entries: HistoryEntry[] = [...history];
  const typeById = new Map<string, EventType>();
  const voided = new Set<string>();
  let nextRevision = 0;
  for (const entry of history) {
    typeById.set(entry.eventId, entry.type);
    if (entry.type === 'EventVoided') voided.add((entry.data as { targetEventId: string }).targetEventId);
    nextRevision = Math.max(nextRevision, entry.revision + 1);
  }

  const violations: RuleViolation[] = [];
  const steps: Step[] = [];
  incoming.forEach((event, eventIndex) => {
    if (typeById.has(event.eventId)) {
      violations.push({
        code: 'DUPLICATE_EVENT_ID',
        eventIndex,
        eventId: event.eventId,
        message: `event id ${event.eventId} is already in the stream or earlier in this batch`,
      });
      return;
    }
    const targetViolations = isCorrectionType(event.type) ? checkTarget(event as CorrectionEvent, eventIndex, typeById, voided) : [];
    entries.push({
      eventId: event.eventId,
      type: event.type,
      occurredOn: 'occurredOn' in event ? event.occurredOn : null,
      data: event.data,
      revision: nextRevision++,
    });
    typeById.set(event.eventId, event.type);
    steps.push({ event, eventIndex, entryCount: entries.length });
    // The fold ignores a correction without a valid target: the history is unchanged by it.
    violations.push(...targetViolations);
    if (targetViolations.length === 0 && event.type === 'EventVoided') voided.add(event.data.targetEventId);
  });

  const effectiveBefore = effectiveHistory(history);
  const effectiveAfter = effectiveHistory(entries);
  const standing = new Set(checkHistory(effectiveBefore, today).map(violationKey));
  const fresh = checkHistory(effectiveAfter, today).filter((v) => !standing.has(violationKey(v)));
  if (fresh.length > 0) {
    // Targets as they stood before the batch (or as sent in it); events at fault as they would stand after it.
    const stoodBefore = new Map<string, ClinicalFact>(effectiveBefore.map((e) => [e.eventId, e]));
    for (const { event } of steps) if ('occurredOn' in event) stoodBefore.set(event.eventId, event);
    const standsAfter = new Map<string, ClinicalFact>(effectiveAfter.map((e) => [e.eventId, e]));
    for (const [step, found] of blameSteps(fresh, steps, entries, standing, today)) {
      violations.push(...stepViolations(step, found, stoodBefore, standsAfter));
    }
  }

  // A stream starts with its enrollment in recording order too: an auditor reading revision 0
  // must find the patient enrolled, whatever the clinical dates of the rest of the batch.
  const opening = incoming[0];
  // (A correction or void opening it is refused on its missing target already.)
  if (history.length === 0 && opening && opening.type !== 'PatientEnrolled' && !isCorrectionType(opening.type) && !violations.some((v) => v.code === 'FIRST_EVENT_NOT_ENROLLMENT')) {
    violations.push({ code: 'FIRST_EVENT_NOT_ENROLLMENT', eventIndex: 0, eventId: opening.eventId, message: `${opening.type} cannot open a patient's stream: its first event is PatientEnrolled` });
  }

  if (violations.length > 0) return { kind: 'rejected', violations: violations.sort((a, b) => a.eventIndex - b.eventIndex) };
  return { kind: 'accepted', events: incoming, deviations: deviationsAdded(effectiveBefore, effectiveAfter) };
}

/**
 * Each violation of the final history goes to the step that last brought it in: the one
 * after which it stands to the end. A single step needs no walk.
 */
function blameSteps(
  fresh: readonly HistoryViolation[],
  steps: readonly Step[],
  entries: readonly HistoryEntry[],
  standing: ReadonlySet<string>,
  today: ClinicalDate,
): Map<Step, HistoryViolation[]> {
  const blamed = new Map<Step, HistoryViolation[]>();
  if (steps.length === 1) {
    blamed.set(steps[0], [...fresh]);
    return blamed;
  }
  const broughtInBy = new Map<string, Step>();
  let before = standing;
  for (const step of steps) {
    const now = new Set(checkHistory(effectiveHistory(entries.slice(0, step.entryCount)), today).map(violationKey));
    for (const key of now) if (!before.has(key)) broughtInBy.set(key, step);
    before = now;
  }
  for (const v of fresh) {
    const step = broughtInBy.get(violationKey(v))!;
    blamed.set(step, [...(blamed.get(step) ?? []), v]);
  }
  return blamed;
}

/** The violations one incoming event is answered with, for what it brought into the final history. */
function stepViolations(
  step: Step,
  found: readonly HistoryViolation[],
  stoodBefore: ReadonlyMap<string, ClinicalFact>,
  standsAfter: ReadonlyMap<string, ClinicalFact>,
): RuleViolation[] {
  const { event, eventIndex } = step;
  if (event.type !== 'EventCorrected' && event.type !== 'EventVoided') {
    return found
      .filter((v) => !AWAITS_A_LATER_FACT.has(v.code))
      .map((v): RuleViolation => v.eventId === event.eventId
        ? { ...v, eventIndex }
        // The fact makes another event break a rule: name that event, whose date is at fault.
        : { code: v.code, message: v.message, eventIndex, eventId: event.eventId, relatedEventId: v.eventId });
  }
  const targetId = event.data.targetEventId;
  const causes = found.map((v): RuleViolation => {
    const fact = standsAfter.get(v.eventId);
    return { ...v, eventIndex, ...(fact ? { eventType: fact.type, occurredOn: fact.occurredOn } : {}) };
  });
  return [{
    code: 'CORRECTION_BREAKS_RULES',
    eventIndex,
    eventId: event.eventId,
    relatedEventId: targetId,
    message: correctionMessage(event, stoodBefore.get(targetId), causes, standsAfter),
    causes,
  }];
}

/**
 * What a site coordinator reads: what the change would break, and which standing events
 * to void or correct first (or in the same batch). When the corrected event itself breaks
 * a rule, the cause says so and the remedy is a different correction.
 */
function correctionMessage(
  event: CorrectionEvent,
  target: ClinicalFact | undefined,
  causes: readonly RuleViolation[],
  standsAfter: ReadonlyMap<string, ClinicalFact>,
): string {
  const what = target ? describeFact(target) : event.data.targetEventId;
  let change = `voiding ${what}`;
  if (event.type === 'EventCorrected') {
    const { occurredOn, data } = event.data;
    if (occurredOn === undefined) change = `correcting the data of ${what}`;
    else change = `correcting ${what} to ${occurredOn}${data === undefined ? '' : ' with new data'}`;
  }
  const rules = `${causes.length} rule${causes.length === 1 ? '' : 's'}`;
  const message = `${change} would break ${rules}: ${causes.map((c) => `${c.message} (${c.code})`).join('; ')}`;
  const others = [...new Set(causes.map((c) => c.eventId))]
    .filter((id) => id !== event.data.targetEventId)
    .map((id) => { const fact = standsAfter.get(id); return fact ? describeFact(fact) : id; });
  if (others.length === 0) return message;
  const named = others.length <= MAX_EVENTS_NAMED ? others
    : [...others.slice(0, MAX_EVENTS_NAMED - 1), `${others.length - MAX_EVENTS_NAMED + 1} more events (all listed in causes)`];
  const list = named.length === 1 ? named[0] : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
  return `${message}; void or correct ${list} first, or send them together in one batch`;
}

/** A fact in plain words with what tells it apart: "engraftment <id> (NEUTROPHIL, 2026-03-01)". */
function describeFact(fact: ClinicalFact): string {
  const at = (what: string, detail?: string): string => `${what} ${fact.eventId} (${detail ? `${detail}, ` : ''}${fact.occurredOn})`;
  switch (fact.type) {
    case 'PatientEnrolled': return at('enrollment');
    case 'ChemotherapyStarted': return at('chemotherapy');
    case 'GpbmcInfused': return at('GPBMC infusion');
    case 'ResponseAssessed': return at('response assessment');
    case 'ConditioningStarted': return at('conditioning');
    case 'StemCellsInfused': return at('Day 0');
    case 'EngraftmentRecorded': return at('engraftment', fact.data.lineage);
    case 'AdverseEventReported': return at('AE report', fact.data.aeId);
    case 'AdverseEventUpdated': return at('AE update', fact.data.aeId);
    case 'RelapseDiagnosed': return at('relapse');
    case 'FollowUpRecorded': return at('follow-up');
    case 'PatientDied': return at('death');
    case 'PatientWithdrawn': return at('withdrawal');
    default: {
      const unexpected: never = fact;
      throw new Error(`unknown event type ${(unexpected as ClinicalFact).type}`);
    }
  }
}

/** The structural deviations of `after` that `before` does not have: what a batch adds. */
function deviationsAdded(before: readonly EffectiveEvent[], after: readonly EffectiveEvent[]): Deviation[] {
  const standing = new Set(structuralDeviations(before).map(deviationKey));
  return structuralDeviations(after).filter((d) => !standing.has(deviationKey(d)));
}

/**
 * The deviations `decide` answered when it accepted the stored events `eventIds`: those
 * they added to the stream as it stood before the first of them. An exact repeat of an
 * append answers these, so its answer is the original one, whatever the stream has
 * become since (a later event may have made a deviation go away). Structural deviations
 * do not depend on today, so this is exact for a batch stored as one append; for a part
 * of a batch it is what those events add in the order they were stored.
 */
export function deviationsAddedBy(stream: readonly HistoryEntry[], eventIds: readonly string[]): Deviation[] {
  const ids = new Set(eventIds);
  const repeated = stream.filter((e) => ids.has(e.eventId));
  if (repeated.length === 0) return [];
  const first = Math.min(...repeated.map((e) => e.revision));
  const before = stream.filter((e) => e.revision < first);
  return deviationsAdded(effectiveHistory(before), effectiveHistory([...before, ...repeated]));
}

function checkTarget(event: CorrectionEvent, eventIndex: number, typeById: ReadonlyMap<string, EventType>, voided: ReadonlySet<string>): RuleViolation[] {
  const target = event.data.targetEventId;
  const targetType = typeById.get(target);
  const base = { eventIndex, eventId: event.eventId, relatedEventId: target };
  if (targetType === undefined) {
    return [{ ...base, code: 'TARGET_NOT_FOUND', message: `target event ${target} is not in this stream` }];
  }
  if (isCorrectionType(targetType)) {
    return [{ ...base, code: 'CORRECTION_OF_CORRECTION', message: `target event ${target} is itself a ${targetType}; correct the original event instead` }];
  }
  if (voided.has(target)) {
    return [{ ...base, code: 'TARGET_VOIDED', message: `target event ${target} is already voided` }];
  }
  return [];
}

/** Identity of a violation across two checks of the history, to tell what is new. */
function violationKey(v: HistoryViolation): string {
  return `${v.code}|${v.eventId}|${v.relatedEventId ?? ''}|${v.field ?? ''}`;
}

function deviationKey(d: Deviation): string {
  return `${d.code}|${d.eventId ?? ''}|${d.milestoneDay ?? ''}`;
}


