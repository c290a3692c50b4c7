import type { Actor, EventMetadata, EventType, RecordedEvent } from '../domain/events/clinical-event';
import type { HistoryEntry } from '../domain/history/effective-history';
import type { StoredEvent } from './event-store.port';

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
    data: stored.data,
    metadata: client,
    actor,
    recordedAt: stored.recordedAt,
    revision: stored.revision,
    position: stored.position,
    schemaVersion: schemaVersion ?? CURRENT_SCHEMA_VERSION,
  } as RecordedEvent;
}

export function toHistoryEntry(stored: StoredEvent): HistoryEntry {
  return {
    eventId: stored.eventId,
    type: stored.type as EventType,
    occurredOn: stored.occurredOn,
    data: stored.data,
    revision: stored.revision,
    recordedAt: stored.recordedAt,
  };
}
