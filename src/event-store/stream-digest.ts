import { createHash } from 'node:crypto';
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
 * It proves nothing alone: an auditor records a stream's head digest (in the audit
 * file, a report, a signed e-mail) and a later read reproduces it only if nothing up to
 * that event has changed since. Computed on read, so there is no stored hash for someone
 * with write access to the files to recompute alongside an alteration.
 */
export function chainDigests(events: readonly StoredEvent[]): string[] {
  let previous = '';
  return events.map((event) => {
    const envelope = {
      streamId: event.streamId,
      revision: event.revision,
      eventId: event.eventId,
      type: event.type,
      occurredOn: event.occurredOn,
      data: event.data,
      metadata: event.metadata,
      recordedAt: event.recordedAt,
    };
    previous = createHash('sha256').update(previous).update('\n').update(canonicalJson(envelope)).digest('hex');
    return previous;
  });
}
