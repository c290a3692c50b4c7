import type { ExpectedRevision } from './event-store.port';

/** Base of every error an event store adapter may raise. */
export class EventStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The stream was not at the revision the writer expected. */
export class WrongExpectedRevisionError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** Revision of the stream's last event, or null when the stream does not exist. */
    readonly actual: number | null,
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${actual ?? 'no stream'}`);
  }
}

/** An event id is already stored in the stream, or comes twice in one batch. Ids are unique per stream, as in EventStoreDB. */
export class DuplicateEventIdError extends EventStoreError {
  constructor(readonly eventId: string) {
    super(`event id ${eventId} is already stored`);
  }
}

/** The store cannot be reached or refused to work; the operation may be retried. */
export class StoreUnavailableError extends EventStoreError {}

/** Another process holds the store's files. */
export class StoreLockedError extends EventStoreError {}

/** The store's disk, or its size limit, is full: appends fail until space is freed. Retryable, as any unavailability. */
export class StoreFullError extends StoreUnavailableError {}

/**
 * A stored event cannot be decoded (its data or metadata is not JSON): a fault of the
 * stored data, never of the request that read it. The message names the stream and the
 * position, never the stored content.
 */
export class StoredDataCorruptError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly position: number,
    readonly field: 'data' | 'metadata',
    /** Damaged events the store knows of, this one included. */
    readonly knownDamaged = 1,
  ) {
    super(`the stored event at position ${position} of stream ${streamId} is damaged: its ${field} is not valid JSON`);
  }
}

/** A seal that does not continue the stored seal chain (sequence or previous digest). */
export class SealOutOfSequenceError extends EventStoreError {
  constructor(
    readonly sequence: number,
    /** The last stored seal's sequence, or null when none is stored. */
    readonly lastSequence: number | null,
  ) {
    super(`seal ${sequence} does not continue the seal chain (last stored: ${lastSequence ?? 'none'})`);
  }
}
