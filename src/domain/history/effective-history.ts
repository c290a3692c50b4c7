import type {
  ClinicalDate,
  ClinicalFact,
  ClinicalFactData,
  EventCorrectedData,
  EventType,
} from '../events/clinical-event';
import { isCorrectionType } from '../events/clinical-event';

/** The least the fold needs of a stored (or about to be stored) event. */
export interface HistoryEntry {
  readonly eventId: string;
  readonly type: EventType;
  readonly occurredOn?: ClinicalDate | null;
  readonly data: unknown;
  /** Stream revision: breaks ties between events of the same clinical date. */
  readonly revision: number;
  readonly recordedAt?: string;
}

/** A clinical fact as it stands after every correction, in clinical order. */
export type EffectiveEvent = ClinicalFact & {
  readonly revision: number;
  readonly recordedAt?: string;
  /** Ids of the corrections applied to it, oldest first (empty when never corrected). */
  readonly correctedBy: readonly string[];
};

/**
 * The effective history of one stream: voided facts dropped, corrections applied in
 * the order they were recorded (each replaces the fields it carries, so the latest
 * correction of a field wins), then ordered by clinical date, ties by revision.
 * Never by arrival. Corrections whose target is not a fact of this stream are
 * ignored here; the rules on the way in reject them before they are stored.
 */
export function effectiveHistory(entries: readonly HistoryEntry[]): EffectiveEvent[] {
  const byRevision = [...entries].sort((a, b) => a.revision - b.revision);
  const facts = new Map<string, EffectiveEvent>();
  for (const entry of byRevision) {
    if (!isCorrectionType(entry.type)) {
      facts.set(entry.eventId, {
        eventId: entry.eventId,
        type: entry.type,
        occurredOn: entry.occurredOn as ClinicalDate,
        data: entry.data,
        revision: entry.revision,
        recordedAt: entry.recordedAt,
        correctedBy: [],
      } as EffectiveEvent);
      continue;
    }
    const { targetEventId } = entry.data as { targetEventId: string };
    const target = facts.get(targetEventId);
    if (!target) continue;
    if (entry.type === 'EventVoided') {
      facts.delete(targetEventId);
      continue;
    }
    const correction = entry.data as EventCorrectedData;
    facts.set(targetEventId, {
      ...target,
      occurredOn: correction.occurredOn ?? target.occurredOn,
      data: (correction.data ?? target.data) as ClinicalFactData,
      correctedBy: [...target.correctedBy, entry.eventId],
    } as EffectiveEvent);
  }
  return [...facts.values()].sort(compareClinicalOrder);
}

export function compareClinicalOrder(
  a: { occurredOn: ClinicalDate; revision: number },
  b: { occurredOn: ClinicalDate; revision: number },
): number {
  if (a.occurredOn !== b.occurredOn) return a.occurredOn < b.occurredOn ? -1 : 1;
  return a.revision - b.revision;
}
