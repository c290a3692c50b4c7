/**
 * The data-clarification trail a monitor reads: every stored event of one patient with
 * who wrote it (and for whom), when, why (corrections and voids), the old and new value
 * of each corrected field, and what it changed in the derived record. The record before
 * and after each event comes from the pure projection (`project`) over the stream up to
 * it: no rule of its own here.
 */
import { canonicalJson } from '../common/canonical-json';
import type { Actor, ClinicalDate, EventMetadata, EventType } from '../domain/events/clinical-event';
import { effectiveHistory, type EffectiveEvent, type HistoryEntry } from '../domain/history/effective-history';
import type { PatientRecord, QueryCode } from '../domain/projection/patient-record';
import { project } from '../domain/projection/project';
import type { StoredEvent } from '../event-store/event-store.port';
import { toHistoryEntry, toRecordedEvent } from '../event-store/patient-stream';

export interface FieldChange {
  readonly field: string;
  readonly from: unknown;
  readonly to: unknown;
}

export interface QueryRef {
  readonly code: QueryCode;
  readonly eventIds: readonly string[];
}

export interface TrailEntry {
  readonly revision: number;
  readonly position: number;
  readonly recordedAt: string;
  readonly eventId: string;
  readonly type: EventType;
  readonly occurredOn: string | null;
  readonly actor: Actor;
  /** The person the clinical system wrote it for, as sent; null when it named none. */
  readonly enteredBy: NonNullable<EventMetadata['enteredBy']> | null;
  /** Corrections and voids: the event they change and why. */
  readonly targetEventId?: string;
  readonly reason?: string;
  /** Corrections: each field of the target it changed, with the value in force before and after. */
  readonly correctedFields?: readonly FieldChange[];
  /** What the event changed in the derived record as of the trail's date. */
  readonly recordChanges: readonly FieldChange[];
  readonly queriesRaised: readonly QueryRef[];
  readonly queriesAnswered: readonly QueryRef[];
  readonly digest: string | null;
}

/** The parts of the record a monitor follows, flattened to one value per field. */
function snapshot(record: PatientRecord | null): Map<string, unknown> {
  const fields = new Map<string, unknown>();
  fields.set('phase', record?.phase ?? null);
  fields.set('day0', record?.day0 ?? null);
  fields.set('day100Window.start', record?.day100Window.start ?? null);
  fields.set('day100Window.end', record?.day100Window.end ?? null);
  fields.set('day100Window.status', record?.day100Window.status ?? null);
  fields.set('primaryEndpoint.status', record?.primaryEndpoint.status ?? null);
  fields.set('primaryEndpoint.eventDate', record?.primaryEndpoint.eventDate ?? null);
  for (const endpoint of ['OS', 'PFS', 'GRFS'] as const) {
    const outcome = record?.endpoints?.[endpoint] ?? null;
    fields.set(`endpoints.${endpoint}.event`, outcome?.event ?? null);
    // An event date or a censoring date, whichever the endpoint holds.
    fields.set(`endpoints.${endpoint}.date`, outcome?.date ?? null);
  }
  return fields;
}

const queryKey = (q: QueryRef) => `${q.code}|${q.eventIds.join(',')}`;

function queriesOf(record: PatientRecord | null): Map<string, QueryRef> {
  return new Map((record?.queries ?? []).map((q) => [queryKey(q), { code: q.code, eventIds: q.eventIds }]));
}

function correctedFields(before: readonly EffectiveEvent[], after: readonly EffectiveEvent[], targetEventId: string): FieldChange[] {
  const old = before.find((e) => e.eventId === targetEventId);
  const now = after.find((e) => e.eventId === targetEventId);
  if (!old || !now) return [];
  const changes: FieldChange[] = [];
  if (old.occurredOn !== now.occurredOn) changes.push({ field: 'occurredOn', from: old.occurredOn, to: now.occurredOn });
  const oldData = old.data as unknown as Record<string, unknown>;
  const newData = now.data as unknown as Record<string, unknown>;
  for (const key of [...new Set([...Object.keys(oldData), ...Object.keys(newData)])].sort()) {
    if (canonicalJson(oldData[key]) !== canonicalJson(newData[key])) changes.push({ field: `data.${key}`, from: oldData[key] ?? null, to: newData[key] ?? null });
  }
  return changes;
}

/** The trail of one stream (in revision order), the derived record taken as of `asOf`. */
export function changeTrail(subjectId: string, stored: readonly StoredEvent[], asOf: ClinicalDate): TrailEntry[] {
  const entries: HistoryEntry[] = [];
  let effectiveBefore: EffectiveEvent[] = [];
  let recordBefore: PatientRecord | null = null;
  return stored.map((event) => {
    entries.push(toHistoryEntry(event));
    const effectiveAfter = effectiveHistory(entries);
    const recordAfter = project(subjectId, effectiveAfter, asOf, { revision: event.revision });
    const recorded = toRecordedEvent(event);
    const [fieldsBefore, fieldsAfter] = [snapshot(recordBefore), snapshot(recordAfter)];
    const recordChanges = [...fieldsAfter.keys()]
      .filter((field) => canonicalJson(fieldsBefore.get(field)) !== canonicalJson(fieldsAfter.get(field)))
      .map((field) => ({ field, from: fieldsBefore.get(field), to: fieldsAfter.get(field) }));
    const [queriesBefore, queriesAfter] = [queriesOf(recordBefore), queriesOf(recordAfter)];
    const correction = event.type === 'EventCorrected' || event.type === 'EventVoided' ? (event.data as { targetEventId: string; reason: string }) : null;
    const entry: TrailEntry = {
      revision: event.revision,
      position: event.position,
      recordedAt: event.recordedAt,
      eventId: event.eventId,
      type: recorded.type,
      occurredOn: event.occurredOn,
      actor: recorded.actor,
      enteredBy: recorded.metadata.enteredBy ?? null,
      ...(correction ? { targetEventId: correction.targetEventId, reason: correction.reason } : {}),
      ...(event.type === 'EventCorrected' ? { correctedFields: correctedFields(effectiveBefore, effectiveAfter, correction!.targetEventId) } : {}),
      recordChanges,
      queriesRaised: [...queriesAfter].filter(([key]) => !queriesBefore.has(key)).map(([, q]) => q),
      queriesAnswered: [...queriesBefore].filter(([key]) => !queriesAfter.has(key)).map(([, q]) => q),
      digest: event.digest ?? null,
    };
    effectiveBefore = effectiveAfter;
    recordBefore = recordAfter;
    return entry;
  });
}
