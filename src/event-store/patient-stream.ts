import type { Actor, EventMetadata, EventType, RecordedEvent } from '../domain/events/clinical-event';
import type { HistoryEntry } from '../domain/history/effective-history';
import type { EventStore, StoredEvent } from './event-store.port';

/** Every patient is one stream; the prefix lets a shared store filter this service's streams. */
export const PATIENT_STREAM_PREFIX = 'patient-';

/** Schema version written with every event, so a later version of a type can be upcast on read. */
export const CURRENT_SCHEMA_VERSION = 1;

export const SUBJECT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function patientStreamId(subjectId: string): string {
  return PATIENT_STREAM_PREFIX + subjectId;
}

export function subjectIdOf(streamId: string): string | null {
  return streamId.startsWith(PATIENT_STREAM_PREFIX) ? streamId.slice(PATIENT_STREAM_PREFIX.length) : null;
}

/** Upgrades the data of one type from version v to v + 1; a newer schema adds one per change. */
export type Upcaster = (data: unknown) => unknown;
export type Upcasters = Partial<Record<EventType, Readonly<Record<number, Upcaster>>>>;

/** Empty while every type is at its first version. */
export const UPCASTERS: Upcasters = {};

/**
 * The data of a stored event as the current schema reads it: the upcasters of its type
 * applied from the version it was written with. Stored events are never rewritten.
 */
export function upcast(type: EventType, version: number, data: unknown, upcasters: Upcasters = UPCASTERS, current = CURRENT_SCHEMA_VERSION): unknown {
  if (version > current) throw new RangeError(`a ${type} event of schema version ${version} is newer than this build reads (${current})`);
  let upgraded = data;
  for (let v = version; v < current; v++) {
    const step = upcasters[type]?.[v];
    if (step) upgraded = step(upgraded);
  }
  return upgraded;
}

const versionOf = (stored: StoredEvent): number => (stored.metadata as { schemaVersion?: number }).schemaVersion ?? 1;

/** What the service adds to the client's metadata in the store. */
export interface StoredMetadata extends EventMetadata {
  readonly actor: Actor;
  readonly schemaVersion: number;
}

/** A stored event as the domain and the audit view read it. */
export function toRecordedEvent(stored: StoredEvent): RecordedEvent {
  const { actor, schemaVersion, ...client } = stored.metadata as unknown as StoredMetadata;
  return {
    subjectId: subjectIdOf(stored.streamId) ?? stored.streamId,
    eventId: stored.eventId,
    type: stored.type as EventType,
    ...(stored.occurredOn !== null ? { occurredOn: stored.occurredOn } : {}),
    data: upcast(stored.type as EventType, schemaVersion ?? 1, stored.data),
    metadata: client,
    actor,
    recordedAt: stored.recordedAt,
    revision: stored.revision,
    position: stored.position,
    schemaVersion: schemaVersion ?? 1,
  } as RecordedEvent;
}

export function toHistoryEntry(stored: StoredEvent): HistoryEntry {
  return {
    eventId: stored.eventId,
    type: stored.type as EventType,
    occurredOn: stored.occurredOn,
    data: upcast(stored.type as EventType, versionOf(stored), stored.data),
    revision: stored.revision,
    recordedAt: stored.recordedAt,
  };
}

/** Streams read at once when many patients' histories are needed (a fold run, a list over a past date). */
const READS_AT_ONCE = 64;

/**
 * Each patient's effective-history entries up to its revision, read from its stream,
 * READS_AT_ONCE streams at a time so a registry-sized request neither reads one by one
 * nor opens a hundred thousand reads at once.
 */
export async function readHistories(
  store: EventStore,
  patients: readonly { readonly subjectId: string; readonly revision: number }[],
  each: (subjectId: string, entries: HistoryEntry[], index: number) => void,
): Promise<void> {
  for (let i = 0; i < patients.length; i += READS_AT_ONCE) {
    await Promise.all(
      patients.slice(i, i + READS_AT_ONCE).map(async ({ subjectId, revision }, k) => {
        const stored = await store.readStream(patientStreamId(subjectId), { maxCount: revision + 1 });
        each(subjectId, stored.map(toHistoryEntry), i + k);
      }),
    );
  }
}
