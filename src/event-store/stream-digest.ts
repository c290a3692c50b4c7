import { hash } from 'node:crypto';
import { canonicalJson } from '../common/canonical-json';
import type { StoredEvent } from './event-store.port';

/**
 * Tamper evidence for auditors: a SHA-256 chain over a stream as stored. Each event's
 * digest covers the digest before it and the event's whole envelope (stream, revision,
 * id, type, clinical date, data and metadata as stored, recording time), in canonical
 * JSON, so changing, removing or reordering anything at or before an event changes its
 * digest and every later one. The global position is left out: it is the store's own
 * numbering, and a stream copied to another store keeps its digests.
 *
 * The store computes it when it appends and keeps it beside the event (`StoredEvent.digest`);
 * verification recomputes it from the envelope and compares. A stored digest alone proves
 * nothing (whoever rewrites the files can recompute it): the proof is a digest or a seal
 * (`log-seal.ts`) an auditor kept outside the service, which a later read reproduces only
 * if nothing up to it has changed.
 */
export function chainDigests(events: readonly StoredEvent[]): string[] {
  let previous = '';
  return events.map((event) => (previous = chainDigest(previous, event)));
}

/** The fields of an envelope the digest covers. */
export type DigestedEnvelope = Pick<StoredEvent, 'streamId' | 'revision' | 'eventId' | 'type' | 'occurredOn' | 'data' | 'metadata' | 'recordedAt'>;

/** One link of the chain: the digest of `event` after the stream's previous digest ('' before the first). */
export function chainDigest(previous: string, event: DigestedEnvelope): string {
  return linkDigest(previous, {
    streamId: event.streamId,
    revision: event.revision,
    eventId: event.eventId,
    type: event.type,
    occurredOn: event.occurredOn,
    canonicalData: canonicalJson(event.data ?? null),
    canonicalMetadata: canonicalJson(event.metadata ?? {}),
    recordedAt: event.recordedAt,
  });
}

/** An envelope whose data and metadata are already canonical JSON (made once, before a commit). */
export interface CanonicalEnvelope {
  readonly streamId: string;
  readonly revision: number;
  readonly eventId: string;
  readonly type: string;
  readonly occurredOn: string | null;
  readonly canonicalData: string;
  readonly canonicalMetadata: string;
  readonly recordedAt: string;
}

/**
 * The same digest as `chainDigest`, from pre-serialized parts: the canonical JSON of the
 * envelope written out with its keys in sorted order (data, eventId, metadata, occurredOn,
 * recordedAt, revision, streamId, type), so the write path serializes data and metadata once.
 */
export function linkDigest(previous: string, e: CanonicalEnvelope): string {
  const envelope =
    `{"data":${e.canonicalData},"eventId":${JSON.stringify(e.eventId)},"metadata":${e.canonicalMetadata},` +
    `"occurredOn":${JSON.stringify(e.occurredOn ?? null)},"recordedAt":${JSON.stringify(e.recordedAt)},"revision":${e.revision},` +
    `"streamId":${JSON.stringify(e.streamId)},"type":${JSON.stringify(e.type)}}`;
  // One-shot hash: a Hash object per event was a tenth of a verification's time.
  return hash('sha256', `${previous}\n${envelope}`, 'hex');
}
