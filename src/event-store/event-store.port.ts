import type { Observable } from 'rxjs';
import type { Seal } from './log-seal';

/** DI token of the one event store the service talks to. */
export const EVENT_STORE = Symbol('EVENT_STORE');

/**
 * What the writer last saw of a stream. A number is the revision of the stream's
 * last event (0-based), as EventStoreDB counts it.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface EventToAppend {
  readonly eventId: string;
  readonly type: string;
  /** The clinical date; null for corrections and voids. */
  readonly occurredOn: string | null;
  readonly data: unknown;
  /** Client metadata plus what the service adds (actor, schema version). */
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface StoredEvent extends EventToAppend {
  readonly streamId: string;
  /** UTC instant the store acknowledged the event, ISO 8601 with milliseconds. */
  readonly recordedAt: string;
  /** 0-based position in its stream. */
  readonly revision: number;
  /** Position in the global log: unique, strictly increasing in log order. */
  readonly position: number;
  /**
   * The chain digest (`stream-digest.ts`) the store computed when it appended the event and
   * stored with it. Absent only for events an older version wrote where the store cannot
   * add it afterwards (EventStoreDB); verification reports those.
   */
  readonly digest?: string;
}

/** An event copied from another store or an archive: its stream, revision and recording time are kept. */
export interface EventToRestore extends EventToAppend {
  readonly streamId: string;
  readonly revision: number;
  readonly recordedAt: string;
}

/** One stream as auditors list them. */
export interface StreamSummary {
  readonly streamId: string;
  readonly eventCount: number;
  /** Recording times of the first and the last event (revision 0 and the head). */
  readonly firstRecordedAt: string;
  readonly lastRecordedAt: string;
  readonly headRevision: number;
  /** The head's stored chain digest; null when the store holds none for it. */
  readonly headDigest: string | null;
}

export interface AppendResult {
  /** Revision of the stream's last event after the append. */
  readonly nextExpectedRevision: number;
  readonly events: ReadonlyArray<Pick<StoredEvent, 'eventId' | 'revision' | 'position' | 'recordedAt'>>;
}

export interface ReadAllPage {
  readonly events: readonly StoredEvent[];
  /** True when the page reached the end of the log as it stood. */
  readonly isEnd: boolean;
}

/**
 * The one narrow port between the service and any event store. Adapters translate
 * vendor errors into the errors of `event-store.errors.ts`.
 */
export interface EventStore {
  /** Appends all the events or none, if the stream is at `expected`. */
  append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult>;
  /** Events of one stream in revision order, from `fromRevision` (inclusive). Empty if none. */
  readStream(streamId: string, options?: { fromRevision?: number; maxCount?: number }): Promise<StoredEvent[]>;
  /** One page of the global log, strictly after `after` (a position; start of the log when absent). */
  readAll(options: { after?: number; maxCount: number }): Promise<ReadAllPage>;
  /**
   * The global log from strictly after `after`: catches up, then stays live, without gaps
   * or duplicates. Completes only when unsubscribed; errors when the store is lost.
   */
  subscribeToAll(options?: { after?: number }): Observable<StoredEvent>;
  /** Position of the last event in the global log, or null when the log is empty. */
  headPosition(): Promise<number | null>;
  /**
   * The identity of this log: the same at every call and after a restart, new for a log
   * created anew (an emptied or deleted file, a wiped server). A read model built from one
   * log compares it, with its checkpoint, to tell that it is following another.
   */
  identity(): Promise<string>;
  /** Resolves when the store answers; rejects with StoreUnavailableError otherwise. */
  ping(): Promise<void>;
  /**
   * Writes events copied from elsewhere in the order given, keeping their recordedAt, and
   * stores their chain digests as `append` does. Each event must continue its stream at
   * the next revision (else WrongExpectedRevisionError, and nothing of the call is stored
   * where the store can make it atomic).
   */
  restore(events: readonly EventToRestore[]): Promise<void>;
  /** Streams in stream-id order, strictly after `after`, at most `limit`. */
  listStreams(options: { after?: string; limit: number }): Promise<StreamSummary[]>;
  /**
   * Stores the next seal of the log. Refused (SealOutOfSequenceError) unless it is the
   * first with no previous digest, or continues the last stored seal: sequence + 1 and its digest.
   */
  appendSeal(seal: Seal): Promise<void>;
  /** Seals in sequence order from `fromSequence` (inclusive, default 1), at most `maxCount`. */
  readSeals(options?: { fromSequence?: number; maxCount?: number }): Promise<Seal[]>;
  /** Waits for in-flight appends, then releases the store. */
  close(): Promise<void>;
}
