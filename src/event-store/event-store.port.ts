import type { Observable } from 'rxjs';

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
  /** Waits for in-flight appends, then releases the store. */
  close(): Promise<void>;
}
