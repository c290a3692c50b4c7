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
