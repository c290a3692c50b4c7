import type { ClinicalDate, ClinicalEvent, CorrectionEvent, EventType } from '../events/clinical-event';
import { isCorrectionType } from '../events/clinical-event';
import { effectiveHistory, type EffectiveEvent, type HistoryEntry } from '../history/effective-history';
import { structuralDeviations, type Deviation } from '../rules/deviations';
import { checkHistory, type HistoryViolation } from './check-history';
import type { RuleViolation } from './rule-codes';

export { RULE_CODES, type FailedCriterion, type RuleCode, type RuleViolation } from './rule-codes';
export { checkHistory, type HistoryViolation } from './check-history';

export type Decision =
  | { readonly kind: 'accepted'; readonly events: readonly ClinicalEvent[]; readonly deviations: readonly Deviation[] }
  | { readonly kind: 'rejected'; readonly violations: readonly RuleViolation[] };

/**
 * Decides whether one atomic batch may be appended to a patient's stream.
 *
 * Each incoming event is checked in batch order against the stream as it would stand
 * with the events before it (provisional revisions after the last stored one), so a
 * batch is accepted exactly when its events would be accepted appended one by one.
 * A rejected event still counts as present for the events after it, so each
 * violation is reported once, on the event that introduced it, and the batch's
 * violations are all collected.
 *
 * One rule set: `checkHistory` validates a whole effective history; an event is
 * rejected for what it newly breaks (violations after it, minus violations before).
 * For a fact that is usually a rule about the fact itself, but may be about another
 * event (a death dated before a recorded follow-up). For a correction or a void it
 * is CORRECTION_BREAKS_RULES with the newly broken rules as causes. Violations
 * already standing in the stored history are never blamed on the batch.
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

  let effective = effectiveHistory(entries);
  const effectiveBefore = effective;
  let standing = new Set(checkHistory(effective, today).map(violationKey));
  const violations: RuleViolation[] = [];

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
    if (targetViolations.length > 0) {
      // The fold ignores a correction without a valid target: the history is unchanged.
      violations.push(...targetViolations);
      return;
    }
    if (event.type === 'EventVoided') voided.add(event.data.targetEventId);

    effective = effectiveHistory(entries);
    const found = checkHistory(effective, today);
    const fresh = found.filter((v) => !standing.has(violationKey(v)));
    standing = new Set(found.map(violationKey));
    if (fresh.length === 0) return;

    if (event.type === 'EventCorrected' || event.type === 'EventVoided') {
      const verb = event.type === 'EventVoided' ? 'voiding' : 'correcting';
      violations.push({
        code: 'CORRECTION_BREAKS_RULES',
        eventIndex,
        eventId: event.eventId,
        relatedEventId: event.data.targetEventId,
        message: `${verb} ${event.data.targetEventId} would break ${fresh.length} rule${fresh.length === 1 ? '' : 's'}: ` +
          [...new Set(fresh.map((v) => v.code))].join(', '),
        causes: fresh.map((v) => ({ ...v, eventIndex })),
      });
    } else {
      violations.push(...fresh.map((v): RuleViolation => v.eventId === event.eventId
        ? { ...v, eventIndex }
        // The fact makes another event break a rule: name that event, whose date is at fault.
        : { code: v.code, message: v.message, eventIndex, eventId: event.eventId, relatedEventId: v.eventId }));
    }
  });

  if (violations.length > 0) return { kind: 'rejected', violations };
  return { kind: 'accepted', events: incoming, deviations: deviationsAdded(effectiveBefore, effective) };
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


