import type { ClinicalDate, ClinicalEvent, EventType } from '../events/clinical-event';
import { isCorrectionType } from '../events/clinical-event';
import { compareClinicalOrder, effectiveHistory, type EffectiveEvent, type HistoryEntry } from '../history/effective-history';
import { ruleKey } from './check-history';
import { decide, type Decision } from './decide';

/**
 * Facts whose first recording the rules of OTHER events read: the enrollment (dates before
 * it), Day 0 (engraftments), the death and the withdrawal (dates after them). A batch that
 * brings one of these is decided over the whole history.
 */
const READ_BY_OTHER_EVENTS: ReadonlySet<EventType> = new Set<EventType>(['PatientEnrolled', 'StemCellsInfused', 'PatientDied', 'PatientWithdrawn']);

/**
 * What every rule of the way in reads of a stream when the batch only adds plain facts:
 * per rule key the fact recorded first (the anchors of `checkHistory`), and per type the
 * fact earliest in clinical order (what structural deviations look back for). A few dozen
 * facts however long the stream, kept up to date one append at a time.
 */
export interface DecisionBasis {
  /** Entries of the stream it stands for. */
  readonly size: number;
  readonly firstRecorded: ReadonlyMap<string, EffectiveEvent>;
  readonly earliest: ReadonlyMap<EventType, EffectiveEvent>;
  /** AE ids named by effective updates: a report of one of them changes what the rules say of those updates. */
  readonly updatedAeIds: ReadonlySet<string>;
  /** The same facts as history entries, what `decide` is given. */
  readonly entries: readonly HistoryEntry[];
}

export const EMPTY_BASIS: DecisionBasis = { size: 0, firstRecorded: new Map(), earliest: new Map(), updatedAeIds: new Set(), entries: [] };

/** The basis of a whole stream: one fold of its effective history. */
export function basisOf(history: readonly HistoryEntry[]): DecisionBasis {
  return withFacts(EMPTY_BASIS, effectiveHistory(history), history.length);
}

/**
 * The basis after `added` entries were stored. Plain facts are folded in; a correction or a
 * void can change any fact, so the basis is then taken again from the whole stream.
 */
export function extendBasis(basis: DecisionBasis, added: readonly HistoryEntry[], whole: () => readonly HistoryEntry[]): DecisionBasis {
  if (added.some((e) => isCorrectionType(e.type))) return basisOf(whole());
  return withFacts(basis, effectiveHistory(added), basis.size + added.length);
}

function withFacts(basis: DecisionBasis, facts: readonly EffectiveEvent[], size: number): DecisionBasis {
  const firstRecorded = new Map(basis.firstRecorded);
  const earliest = new Map(basis.earliest);
  const updatedAeIds = new Set(basis.updatedAeIds);
  for (const fact of facts) {
    const key = ruleKey(fact);
    const first = firstRecorded.get(key);
    if (!first || fact.revision < first.revision) firstRecorded.set(key, fact);
    const early = earliest.get(fact.type);
    if (!early || compareClinicalOrder(fact, early) < 0) earliest.set(fact.type, fact);
    if (fact.type === 'AdverseEventUpdated') updatedAeIds.add(fact.data.aeId);
  }
  const kept = new Map<string, EffectiveEvent>();
  for (const fact of [...firstRecorded.values(), ...earliest.values()]) kept.set(fact.eventId, fact);
  const entries = [...kept.values()]
    .sort((a, b) => a.revision - b.revision)
    .map((f): HistoryEntry => ({ eventId: f.eventId, type: f.type, occurredOn: f.occurredOn, data: f.data, revision: f.revision, recordedAt: f.recordedAt }));
  return { size, firstRecorded, earliest, updatedAeIds, entries };
}

/**
 * `decide` over the basis instead of the whole stream, when that gives the same decision:
 * null when it cannot (the caller then decides over the whole history).
 *
 * Why it is the same: a batch of plain facts, none of them read by other events' rules
 * (READ_BY_OTHER_EVENTS) and no AE report for an AE whose updates are stored, leaves every
 * stored fact and every anchor as they were, so each stored fact breaks exactly the rules
 * it broke before (standing, never blamed on the batch). The new facts' rules read only
 * themselves, today and the anchors, and their deviations only the earliest fact of each
 * type, all of which the basis holds. Rejections are handed back (null) so their wording
 * always comes from the whole history. The property test of the spec compares both.
 *
 * `isStored` tells an event id already in the stream (the basis does not hold every id).
 */
export function decideOnBasis(
  basis: DecisionBasis,
  incoming: readonly ClinicalEvent[],
  today: ClinicalDate,
  isStored: (eventId: string) => boolean,
): Decision | null {
  if (basis.size === 0) return null;
  for (const event of incoming) {
    if (isCorrectionType(event.type) || READ_BY_OTHER_EVENTS.has(event.type) || isStored(event.eventId)) return null;
    if (event.type === 'AdverseEventReported' && basis.updatedAeIds.has(event.data.aeId) && !basis.firstRecorded.has(`AE:${event.data.aeId}`)) return null;
  }
  const decision = decide(basis.entries, incoming, today);
  return decision.kind === 'accepted' ? decision : null;
}
