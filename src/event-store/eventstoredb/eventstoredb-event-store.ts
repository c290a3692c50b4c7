import type { Channel, Client as GrpcClient, ClientReadableStream, Metadata, CallOptions, ServiceError } from '@grpc/grpc-js';
import {
  convertToCommandError,
  EventStoreDBClient,
  ErrorType,
  isCommandError,
  START,
  streamNameFilter,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type BaseOptions,
  type JSONEventData,
  type JSONType,
} from '@eventstore/db-client';
import { Empty, StreamIdentifier } from '@eventstore/db-client/generated/shared_pb';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { randomUUID } from 'node:crypto';
import { Observable } from 'rxjs';
import { canonicalJson } from '../../common/canonical-json';
import { DuplicateEventIdError, EventStoreError, SealOutOfSequenceError, StoreUnavailableError, WrongExpectedRevisionError } from '../event-store.errors';
import type { AppendResult, EventStore, EventToAppend, EventToRestore, ExpectedRevision, ReadAllPage, StoredEvent, StreamSummary } from '../event-store.port';
import type { Seal } from '../log-seal';
import { linkDigest } from '../stream-digest';

/** Structured logging, as pino's logger offers it. */
export interface EventStoreDbLogger {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface EventStoreDbOptions {
  readonly clock?: () => Date;
  /** Only streams whose name starts with this are read from $all, e.g. 'patient-'. */
  readonly streamPrefix: string;
  readonly logger?: EventStoreDbLogger;
  /** The stream that holds the log's seals; it must not start with `streamPrefix`. Default `timeline-seals`. */
  readonly sealStream?: string;
  /** How a dropped subscription is retried before the Observable errors. */
  readonly resubscribe?: { readonly attempts?: number; readonly initialDelayMs?: number; readonly maxDelayMs?: number };
}

/** Keys of the event metadata JSON that carry our envelope; the caller's metadata may not use them. */
const ENVELOPE_KEYS = ['occurredOn', 'recordedAt', 'digest'] as const;
const SEAL_EVENT_TYPE = 'LogSealed';
/**
 * The stream holding this log's identity: its first event, written once by the first
 * service to connect. Outside the patient prefix, so no subscription delivers it.
 */
export const IDENTITY_STREAM = 'treatment-timeline-store-identity';
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * Client errors after which the same call may succeed. UNKNOWN is among them: the client
 * reports transport failures it cannot classify (a reset HTTP/2 stream) that way.
 */
const RETRYABLE: ReadonlySet<ErrorType> = new Set([
  ErrorType.UNAVAILABLE,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.CANCELLED,
  ErrorType.TIMEOUT,
  ErrorType.NOT_LEADER,
  ErrorType.UNKNOWN,
]);
/** Events a filtered $all read examines per internal page on the server. */
const SEARCH_WINDOW = 512;

/**
 * The client's own call plumbing, protected in its typings. Filtered reads of $all are in
 * the wire protocol and served by every 21.10+ server, but v6's `readAll` offers no filter;
 * going through `execute` keeps them on the client's channel, credentials, default deadline
 * and reconnection handling instead of a second connection.
 */
interface ClientPlumbing {
  execute<C extends GrpcClient, T>(client: new (...args: never[]) => C, debugName: string, action: (client: C) => Promise<T>): Promise<T>;
  callArguments(options: BaseOptions, callOptions?: CallOptions): [Metadata, CallOptions];
  getChannel(): Promise<Channel>;
}

interface RawRecord {
  readonly streamId: string;
  readonly eventId: string;
  readonly type: string;
  readonly revision: bigint;
  readonly commitPosition: bigint;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly created: Date;
}

/**
 * EventStore on EventStoreDB over gRPC (`@eventstore/db-client` v6).
 *
 * One port stream is one EventStoreDB stream. The event's data is its JSON body; the event
 * metadata JSON is `{ occurredOn, recordedAt, ...metadata }`. `revision` is the stream
 * revision; `position` is the commit position in $all as a JS number, exact below 2^53
 * (8 PiB of log). Of $all, only streams with the configured prefix are read (filtered on
 * the server) and `$`-typed events are skipped.
 *
 * EventStoreDB assigns positions only in its log, so after every successful append the
 * appended revisions are read back: that gives each event its position, and makes a
 * repeated append of the same event ids (which the server answers as a success without
 * writing again) return the events as first stored.
 */
export class EventStoreDbEventStore implements EventStore {
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly live = new Set<() => void>();
  private readonly plumbing: ClientPlumbing;

  private lastRecordedAt = '';
  private storeId: Promise<string> | null = null;
  /** Appends to one stream that read its head, one after another within this process (see appendNow). */
  private readonly streamLocks = new Map<string, Promise<unknown>>();
  private readonly sealStream: string;

  private constructor(
    private readonly client: EventStoreDBClient,
    private readonly clock: () => Date,
    private readonly prefix: string,
    private readonly logger: EventStoreDbLogger | undefined,
    private readonly resubscribe: { attempts: number; initialDelayMs: number; maxDelayMs: number },
    sealStream: string,
  ) {
    this.plumbing = client as unknown as ClientPlumbing;
    this.sealStream = sealStream;
  }

  /** Connects and pings once, so a wrong address fails at startup rather than on the first request. */
  static async connect(connectionString: string, options: EventStoreDbOptions): Promise<EventStoreDbEventStore> {
    if (typeof options.streamPrefix !== 'string' || options.streamPrefix === '' || options.streamPrefix.startsWith('$')) {
      throw new RangeError('streamPrefix must be a non-empty prefix of user streams');
    }
    let client: EventStoreDBClient;
    try {
      client = EventStoreDBClient.connectionString(connectionString);
    } catch (error) {
      throw new EventStoreError(`invalid EventStoreDB connection string: ${(error as Error).message}`, { cause: error });
    }
    const store = new EventStoreDbEventStore(client, options.clock ?? (() => new Date()), options.streamPrefix, options.logger, {
      attempts: options.resubscribe?.attempts ?? 8,
      initialDelayMs: options.resubscribe?.initialDelayMs ?? 100,
      maxDelayMs: options.resubscribe?.maxDelayMs ?? 5_000,
    }, options.sealStream ?? 'timeline-seals');
    if (store.sealStream.startsWith(options.streamPrefix) || store.sealStream.startsWith('$')) {
      await store.release();
      throw new RangeError('sealStream must not start with the stream prefix or $');
    }
    try {
      await store.ping();
    } catch (error) {
      await store.release();
      throw error;
    }
    options.logger?.info({ streamPrefix: options.streamPrefix }, 'event store connected to EventStoreDB');
    return store;
  }

  append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    // Checked now: an append accepted before close() runs even if its turn comes after.
    if (this.closed) return Promise.reject(new StoreUnavailableError('the event store is closed'));
    return this.track(this.withStreamLock(streamId, () => this.appendNow(streamId, events, expected, null)));
  }

  /** Registered before the first await, so a close() called right after still waits for it. */
  private track<T>(attempt: Promise<T>): Promise<T> {
    this.inFlight.add(attempt);
    const forget = () => this.inFlight.delete(attempt);
    attempt.then(forget, forget);
    return attempt;
  }

  /**
   * The digest chains from the stream's head, read before the append. Appends to one stream
   * take turns within this process so two of them never chain from the same head; with an
   * exact expected revision the head read is the event at that revision, so a writer in
   * another process cannot slip in between (the server refuses the append instead).
   */
  private withStreamLock<T>(streamId: string, work: () => Promise<T>): Promise<T> {
    const before = this.streamLocks.get(streamId) ?? Promise.resolve();
    const run = before.then(work, work);
    const settled = run.then(() => undefined, () => undefined);
    this.streamLocks.set(streamId, settled);
    void settled.then(() => {
      if (this.streamLocks.get(streamId) === settled) this.streamLocks.delete(streamId);
    });
    return run;
  }

  /** The digest the next event of the stream chains from, given what the writer expects. */
  private async chainHead(streamId: string, expected: ExpectedRevision): Promise<string> {
    if (expected === 'no_stream') return '';
    if (typeof expected === 'number') {
      const [at] = Number.isSafeInteger(expected) && expected >= 0 ? await this.readStreamNow(streamId, { fromRevision: expected, maxCount: 1 }) : [];
      if (!at) {
        const last = await this.readRaw('read stream head', (o) => streamOptions(o, streamId, 'end', true, 1));
        throw new WrongExpectedRevisionError(streamId, expected, last.events.length === 0 ? null : Number(last.events[0].revision));
      }
      return at.digest ?? '';
    }
    const last = await this.readRaw('read stream head', (o) => streamOptions(o, streamId, 'end', true, 1));
    return last.events.length === 0 ? '' : (toStoredEvent(last.events[0]).digest ?? '');
  }

  private async appendNow(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision, restoredAt: string | null): Promise<AppendResult> {
    if (typeof streamId !== 'string' || streamId === '') throw new TypeError('streamId must be a non-empty string');
    const expectedRevision = toExpectedRevision(expected);
    let recordedAt: string;
    if (restoredAt !== null) {
      recordedAt = restoredAt;
      if (recordedAt > this.lastRecordedAt) this.lastRecordedAt = recordedAt;
    } else {
      // Monotonic within this process, as the embedded store is: a clock stepped back does
      // not stamp an event earlier than one already appended. (Across processes the
      // server's order and the clocks of several writers cannot be reconciled here.)
      const now = this.clock().toISOString();
      recordedAt = now > this.lastRecordedAt ? now : this.lastRecordedAt;
      this.lastRecordedAt = recordedAt;
    }
    const seen = new Set<string>();
    for (const event of events) {
      if (typeof event.eventId !== 'string' || !UUID_PATTERN.test(event.eventId)) throw new TypeError(`eventId must be a UUID (EventStoreDB ids are): ${String(event.eventId)}`);
      for (const key of ENVELOPE_KEYS) if (key in (event.metadata ?? {})) throw new TypeError(`metadata key ${key} is reserved by the event store`);
      const id = event.eventId.toLowerCase();
      if (seen.has(id)) throw new DuplicateEventIdError(event.eventId);
      seen.add(id);
    }
    seen.clear();
    if ((expected === 'any' || expected === 'stream_exists') && events.length > 0) {
      const head = await this.readRaw('read stream head', (o) => streamOptions(o, streamId, 'end', true, 1));
      return this.appendWithBase(streamId, events, expected, head.events.length === 0 ? -1 : Number(head.events[0].revision), restoredAt);
    }
    let digest = events.length === 0 ? '' : await this.chainHead(streamId, expected);
    let revision = typeof expected === 'number' ? expected : -1;
    const proposed = events.map((event): JSONEventData => {
      if (typeof event.eventId !== 'string' || !UUID_PATTERN.test(event.eventId)) throw new TypeError(`eventId must be a UUID (EventStoreDB ids are): ${String(event.eventId)}`);
      if (typeof event.type !== 'string' || event.type === '') throw new TypeError('type must be a non-empty string');
      const metadata = event.metadata ?? {};
      for (const key of ENVELOPE_KEYS) if (key in metadata) throw new TypeError(`metadata key ${key} is reserved by the event store`);
      const id = event.eventId.toLowerCase();
      if (seen.has(id)) throw new DuplicateEventIdError(event.eventId);
      seen.add(id);
      // JSON.stringify(undefined) is undefined, which the client cannot encode: store null.
      const data = (event.data === undefined ? null : event.data) as JSONType;
      revision += 1;
      digest = linkDigest(digest, {
        streamId,
        revision,
        eventId: id,
        type: event.type,
        occurredOn: event.occurredOn ?? null,
        canonicalData: canonicalJson(data),
        canonicalMetadata: canonicalJson(metadata),
        recordedAt,
      });
      return { id, type: event.type, contentType: 'application/json', data, metadata: { occurredOn: event.occurredOn ?? null, recordedAt, digest, ...metadata } };
    });


    let nextExpectedRevision: bigint;
    try {
      const result = await this.client.appendToStream(streamId, proposed, { expectedRevision });
      nextExpectedRevision = result.nextExpectedRevision;
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        const actual = error.actualVersion === 'no_stream' ? null : Number(error.actualVersion);
        throw new WrongExpectedRevisionError(streamId, expected, actual);
      }
      throw this.translate(error, `append to ${streamId}`);
    }
    if (proposed.length === 0) {
      const last = await this.readRaw('read stream head', (o) => streamOptions(o, streamId, 'end', true, 1));
      return { nextExpectedRevision: last.events.length === 0 ? -1 : Number(last.events[0].revision), events: [] };
    }
    const stored = await this.readBack(streamId, Number(nextExpectedRevision), proposed.map((e) => e.id));
    return {
      nextExpectedRevision: stored[stored.length - 1].revision,
      events: stored.map((e) => ({ eventId: e.eventId, revision: e.revision, position: e.position, recordedAt: e.recordedAt })),
    };
  }

  /**
   * An append with `any` or `stream_exists` once the head is known: the digests need the
   * revisions, so it goes to the server at that exact revision. A repeat of events already
   * stored is answered as the server answers it for `any`: the events as first stored.
   */
  private async appendWithBase(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision, base: number, restoredAt: string | null): Promise<AppendResult> {
    if (base === -1 && expected === 'stream_exists') throw new WrongExpectedRevisionError(streamId, expected, null);
    const ids = events.map((e) => e.eventId.toLowerCase());
    const existing = await this.readStreamNow(streamId);
    const start = existing.findIndex((e) => e.eventId.toLowerCase() === ids[0]);
    if (start >= 0) {
      const found = existing.slice(start, start + ids.length);
      if (found.length === ids.length && found.every((e, i) => e.eventId.toLowerCase() === ids[i])) {
        return { nextExpectedRevision: found[found.length - 1].revision, events: found.map((e) => ({ eventId: e.eventId, revision: e.revision, position: e.position, recordedAt: e.recordedAt })) };
      }
    }
    return this.appendNow(streamId, events, base === -1 ? 'no_stream' : base, restoredAt);
  }

  /**
   * The appended events as stored. The server reports the revision of the last one; an
   * idempotent repeat reports the revision of the first write, which the ids confirm.
   */
  private async readBack(streamId: string, lastRevision: number, ids: readonly string[]): Promise<StoredEvent[]> {
    const from = lastRevision - ids.length + 1;
    const matches = (events: readonly StoredEvent[]) => events.length === ids.length && events.every((e, i) => e.eventId.toLowerCase() === ids[i]);
    const candidates = from >= 0 ? await this.readStreamNow(streamId, { fromRevision: from, maxCount: ids.length }) : [];
    if (matches(candidates)) return candidates;
    // Not where the server said: find the ids in the whole stream rather than report wrong positions.
    const all = await this.readStreamNow(streamId);
    const start = all.findIndex((e) => e.eventId.toLowerCase() === ids[0]);
    const found = start < 0 ? [] : all.slice(start, start + ids.length);
    if (matches(found)) return found;
    throw new EventStoreError(`stream ${streamId}: the append succeeded but its events are not where the server reported them`);
  }

  async readStream(streamId: string, options: { fromRevision?: number; maxCount?: number } = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    return this.readStreamNow(streamId, options);
  }

  /** Also serves appends still in flight while the store closes. */
  private async readStreamNow(streamId: string, options: { fromRevision?: number; maxCount?: number } = {}): Promise<StoredEvent[]> {
    const fromRevision = options.fromRevision ?? 0;
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isSafeInteger(fromRevision) || fromRevision < 0) throw new RangeError('fromRevision must be a non-negative integer');
    if (!Number.isSafeInteger(maxCount) || maxCount < 0) throw new RangeError('maxCount must be a non-negative integer');
    if (maxCount === 0) return [];
    const { events } = await this.readRaw(`read ${streamId}`, (o) => streamOptions(o, streamId, fromRevision, false, maxCount));
    return events.map(toStoredEvent);
  }

  async readAll(options: { after?: number; maxCount: number }): Promise<ReadAllPage> {
    this.assertOpen();
    if (!Number.isSafeInteger(options.maxCount) || options.maxCount < 1) throw new RangeError('maxCount must be a positive integer');
    const maxCount = options.maxCount;
    const page: StoredEvent[] = [];
    let cursor = options.after;
    for (;;) {
      // A forward read from a position includes the event at it: one more to drop, and one
      // more than asked to tell whether the page reached the end.
      const count = maxCount + 2 - page.length;
      const from = cursor;
      const { events } = await this.readRaw('read $all', (o) => {
        const all = new ReadReq.Options.AllOptions();
        if (from === undefined) all.setStart(new Empty());
        else all.setPosition(new ReadReq.Options.Position().setCommitPosition(String(from)).setPreparePosition(String(from)));
        o.setAll(all).setReadDirection(ReadReq.Options.ReadDirection.FORWARDS).setCount(String(count));
        this.filterOurs(o);
      });
      for (const record of events) {
        const position = toPosition(record.commitPosition);
        if (from !== undefined && position <= from) continue;
        if (!record.type.startsWith('$')) page.push(toStoredEvent(record));
      }
      if (page.length > maxCount) return { events: page.slice(0, maxCount), isEnd: false };
      if (events.length < count) return { events: page, isEnd: true };
      // Only skipped events filled the read (the boundary, `$`-typed ones): read on.
      cursor = toPosition(events[events.length - 1].commitPosition);
    }
  }

  async headPosition(): Promise<number | null> {
    this.assertOpen();
    // Backwards from the end, one page at a time, until an event of ours that is not `$`-typed.
    let before: bigint | null = null;
    for (;;) {
      const from: bigint | null = before;
      const { events } = await this.readRaw('read $all head', (o) => {
        const all = new ReadReq.Options.AllOptions();
        if (from === null) all.setEnd(new Empty());
        else all.setPosition(new ReadReq.Options.Position().setCommitPosition(String(from)).setPreparePosition(String(from)));
        o.setAll(all).setReadDirection(ReadReq.Options.ReadDirection.BACKWARDS).setCount(from === null ? '1' : '32');
        this.filterOurs(o);
      });
      const ours = events.find((r) => !r.type.startsWith('$'));
      if (ours) return toPosition(ours.commitPosition);
      if (events.length === 0) return null;
      before = events[events.length - 1].commitPosition;
    }
  }

  /**
   * The id in the identity stream's first event, written with `no_stream` by whoever comes
   * first (a service that loses that race reads the winner's). A wiped server has none, so
   * it gets a new one.
   */
  identity(): Promise<string> {
    this.storeId ??= (async () => {
      const read = async () => (await this.readStreamNow(IDENTITY_STREAM, { maxCount: 1 }))[0]?.data as { storeId?: unknown } | undefined;
      let found = await read();
      if (found === undefined) {
        const storeId = randomUUID();
        try {
          await this.append(IDENTITY_STREAM, [{ eventId: randomUUID(), type: 'StoreIdentified', occurredOn: null, data: { storeId }, metadata: {} }], 'no_stream');
        } catch (error) {
          if (!(error instanceof WrongExpectedRevisionError)) throw error;
        }
        found = await read();
      }
      if (typeof found?.storeId !== 'string') throw new EventStoreError(`stream ${IDENTITY_STREAM} does not hold a store id`);
      return `eventstoredb:${found.storeId}`;
    })().catch((error: unknown) => {
      this.storeId = null;
      throw error;
    });
    return this.storeId;
  }

  /** One unfiltered backwards read of a single event of $all: the cheapest answer the server gives. */
  async ping(): Promise<void> {
    this.assertOpen();
    await this.readRaw('ping', (o) => o.setAll(new ReadReq.Options.AllOptions().setEnd(new Empty())).setReadDirection(ReadReq.Options.ReadDirection.BACKWARDS).setCount('1'));
  }

  /**
   * A catch-up subscription to $all, filtered on the server to our prefix, from `after`.
   *
   * Backpressure: events are pulled from the client's subscription stream with async
   * iteration, one at a time, so a slow observer pauses the gRPC stream (and the server)
   * instead of filling memory. When the subscription drops, it resubscribes from the last
   * position emitted; events at or before it are skipped, so a server that repeats or
   * includes the boundary causes no duplicate. Retries back off exponentially and reset
   * once a new subscription is confirmed; after `attempts` failures in a row the
   * Observable errors with StoreUnavailableError. Completes when the store closes.
   */
  subscribeToAll(options: { after?: number } = {}): Observable<StoredEvent> {
    return new Observable<StoredEvent>((subscriber) => {
      if (this.closed) {
        subscriber.error(new StoreUnavailableError('the event store is closed'));
        return;
      }
      let last = options.after;
      let current: AnySubscription | null = null;
      let stopped = false;
      const stop = () => {
        stopped = true;
        const sub = current;
        current = null;
        if (sub) void sub.unsubscribe().finally(() => sub.destroy());
      };
      const end = () => {
        stop();
        subscriber.complete();
      };
      this.live.add(end);

      const run = async () => {
        let failures = 0;
        while (!stopped) {
          const sub: AnySubscription = this.client.subscribeToAll({
            fromPosition: last === undefined ? START : { commit: BigInt(last), prepare: BigInt(last) },
            filter: streamNameFilter({ prefixes: [this.prefix] }),
          });
          current = sub;
          sub.on('confirmation', () => (failures = 0));
          let cause: unknown = new Error('the server ended the subscription');
          try {
            for await (const resolved of sub as AsyncIterable<AllStreamResolvedEvent>) {
              if (stopped) break;
              const event = resolved.event;
              if (!event || event.type.startsWith('$')) continue;
              const stored = toStoredEvent(fromClientEvent(event));
              if (last !== undefined && stored.position <= last) continue;
              last = stored.position;
              subscriber.next(stored);
            }
          } catch (error) {
            cause = error;
            if (error instanceof EventStoreError) {
              stop();
              subscriber.error(error);
              return;
            }
          }
          if (current === sub) current = null;
          if (stopped) return;
          failures += 1;
          if (failures > this.resubscribe.attempts) {
            this.live.delete(end);
            this.logger?.error({ err: cause, after: last, attempts: failures - 1 }, 'subscription to $all lost');
            subscriber.error(new StoreUnavailableError(`subscription to $all lost after ${failures - 1} attempts to resubscribe: ${(cause as Error)?.message}`, { cause }));
            return;
          }
          const delay = Math.min(this.resubscribe.maxDelayMs, this.resubscribe.initialDelayMs * 2 ** (failures - 1));
          this.logger?.info({ err: cause, after: last, attempt: failures, delayMs: delay }, 'subscription to $all dropped; resubscribing');
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      };
      void run();
      return () => {
        this.live.delete(end);
        stop();
      };
    });
  }

  /**
   * Each run of consecutive events of one stream is one append at the exact revision before
   * it, with the events' own recording times. Not atomic across streams: EventStoreDB writes
   * one stream per call, so a failure leaves the runs before it stored.
   */
  async restore(events: readonly EventToRestore[]): Promise<void> {
    this.assertOpen();
    for (let i = 0; i < events.length; ) {
      const first = events[i];
      let j = i + 1;
      while (j < events.length && events[j].streamId === first.streamId && events[j].recordedAt === first.recordedAt && events[j].revision === events[j - 1].revision + 1) j++;
      const run = events.slice(i, j).map(({ eventId, type, occurredOn, data, metadata }) => ({ eventId, type, occurredOn, data, metadata }));
      const expected: ExpectedRevision = first.revision === 0 ? 'no_stream' : first.revision - 1;
      await this.track(this.withStreamLock(first.streamId, () => this.appendNow(first.streamId, run, expected, first.recordedAt)));
      i = j;
    }
  }

  /**
   * EventStoreDB keeps no list of streams without its `$streams` system projection, so this
   * reads the whole (filtered) log and groups it: fine for an audit request, linear in the log.
   */
  async listStreams(options: { after?: string; limit: number }): Promise<StreamSummary[]> {
    this.assertOpen();
    if (!Number.isSafeInteger(options.limit) || options.limit < 1) throw new RangeError('limit must be a positive integer');
    const after = options.after ?? '';
    const streams = new Map<string, { count: number; first: StoredEvent; last: StoredEvent }>();
    let cursor: number | undefined;
    for (;;) {
      const page = await this.readAll({ ...(cursor === undefined ? {} : { after: cursor }), maxCount: 1000 });
      for (const e of page.events) {
        if (e.streamId <= after) continue;
        const s = streams.get(e.streamId);
        if (s) {
          s.count += 1;
          s.last = e;
        } else streams.set(e.streamId, { count: 1, first: e, last: e });
      }
      if (page.isEnd || page.events.length === 0) break;
      cursor = page.events[page.events.length - 1].position;
    }
    return [...streams.keys()]
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, options.limit)
      .map((streamId) => {
        const { count, first, last } = streams.get(streamId)!;
        return { streamId, eventCount: count, firstRecordedAt: first.recordedAt, lastRecordedAt: last.recordedAt, headRevision: last.revision, headDigest: last.digest ?? null };
      });
  }

  /** Seals are the events of one stream: seal n at revision n - 1, so the server refuses a gap or a second seal n. */
  async appendSeal(seal: Seal): Promise<void> {
    this.assertOpen();
    const [last] = seal.sequence > 1 ? await this.readSeals({ fromSequence: seal.sequence - 1, maxCount: 1 }) : [];
    const continues = seal.sequence === 1 ? seal.previousSealDigest === null : last !== undefined && last.sequence === seal.sequence - 1 && last.digest === seal.previousSealDigest;
    if (!Number.isSafeInteger(seal.sequence) || seal.sequence < 1 || !continues) {
      const head = await this.readRaw('read seal head', (o) => streamOptions(o, this.sealStream, 'end', true, 1));
      throw new SealOutOfSequenceError(seal.sequence, head.events.length === 0 ? null : Number(head.events[0].revision) + 1);
    }
    const expectedRevision: AppendExpectedRevision = seal.sequence === 1 ? 'no_stream' : BigInt(seal.sequence - 2);
    try {
      await this.track(this.client.appendToStream(this.sealStream, [{ id: randomUUID(), type: SEAL_EVENT_TYPE, contentType: 'application/json', data: seal as unknown as JSONType, metadata: undefined }], { expectedRevision }));
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        throw new SealOutOfSequenceError(seal.sequence, error.actualVersion === 'no_stream' ? null : Number(error.actualVersion) + 1);
      }
      throw this.translate(error, `append to ${this.sealStream}`);
    }
  }

  async readSeals(options: { fromSequence?: number; maxCount?: number } = {}): Promise<Seal[]> {
    this.assertOpen();
    const from = Math.max(0, (options.fromSequence ?? 1) - 1);
    const events = await this.readStreamNow(this.sealStream, { fromRevision: from, ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }) });
    return events.filter((e) => e.type === SEAL_EVENT_TYPE).map((e) => e.data as Seal);
  }

  /** Waits for in-flight appends, completes the subscriptions, then releases the client. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      await Promise.allSettled([...this.inFlight]);
      for (const end of [...this.live]) end();
      this.live.clear();
      await this.release();
      this.logger?.info({}, 'event store disconnected from EventStoreDB');
    })();
    return this.closing;
  }

  private async release(): Promise<void> {
    await this.client.dispose();
    // dispose() cancels the client's streams but leaves its channel (and a socket) open.
    (await this.plumbing.getChannel()).close();
  }

  private filterOurs(options: ReadReq.Options): void {
    const filter = new ReadReq.Options.FilterOptions()
      .setStreamIdentifier(new ReadReq.Options.FilterOptions.Expression().setPrefixList([this.prefix]))
      .setMax(SEARCH_WINDOW)
      .setCheckpointintervalmultiplier(1);
    options.setFilter(filter);
  }

  /** One bounded read (the client's default deadline applies), collected in memory. */
  private async readRaw(what: string, configure: (options: ReadReq.Options) => void): Promise<{ events: RawRecord[]; streamNotFound: boolean }> {
    const options = new ReadReq.Options()
      .setResolveLinks(false)
      .setUuidOption(new ReadReq.Options.UUIDOption().setString(new Empty()))
      .setNoFilter(new Empty());
    configure(options);
    const request = new ReadReq().setOptions(options);
    try {
      return await this.plumbing.execute(StreamsClient, 'read', (grpc) => {
        const call: ClientReadableStream<ReadResp> = (grpc as unknown as StreamsReader).read(request, ...this.plumbing.callArguments({}));
        return new Promise((resolve, reject) => {
          const events: RawRecord[] = [];
          let streamNotFound = false;
          call.on('data', (response: ReadResp) => {
            if (response.hasStreamNotFound()) streamNotFound = true;
            const recorded = response.getEvent()?.getEvent();
            if (recorded) events.push(fromWire(recorded));
          });
          call.on('error', reject);
          call.on('end', () => resolve({ events, streamNotFound }));
        });
      });
    } catch (error) {
      const converted = convertToCommandError(error as ServiceError);
      // Servers before 21.10 report a missing stream as an error, later ones as a message.
      if (isCommandError(converted) && converted.type === ErrorType.STREAM_NOT_FOUND) return { events: [], streamNotFound: true };
      throw this.translate(error, what);
    }
  }

  private translate(error: unknown, what: string): EventStoreError {
    if (error instanceof EventStoreError) return error;
    const converted = error instanceof Error && 'code' in error ? convertToCommandError(error as ServiceError) : error;
    const message = `${what} failed: ${(converted as Error)?.message ?? String(converted)}`;
    this.logger?.error({ err: converted }, message);
    const isRetryable = converted instanceof Error && isCommandError(converted) && RETRYABLE.has(converted.type);
    return isRetryable ? new StoreUnavailableError(message, { cause: error }) : new EventStoreError(message, { cause: error });
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError('the event store is closed');
  }
}

type AnySubscription = ReturnType<EventStoreDBClient['subscribeToAll']>;

interface StreamsReader {
  read(request: ReadReq, metadata: Metadata, options: CallOptions): ClientReadableStream<ReadResp>;
}

function toExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return expected;
  if (Number.isSafeInteger(expected) && expected >= 0) return BigInt(expected);
  throw new RangeError(`invalid expected revision: ${String(expected)}`);
}

function streamOptions(options: ReadReq.Options, streamId: string, from: number | 'end', backwards: boolean, count: number): void {
  const stream = new ReadReq.Options.StreamOptions().setStreamIdentifier(streamIdentifier(streamId));
  if (from === 'end') stream.setEnd(new Empty());
  else stream.setRevision(String(from));
  options
    .setStream(stream)
    .setReadDirection(backwards ? ReadReq.Options.ReadDirection.BACKWARDS : ReadReq.Options.ReadDirection.FORWARDS)
    .setCount(String(count));
}

function streamIdentifier(streamId: string): StreamIdentifier {
  return new StreamIdentifier().setStreamName(Buffer.from(streamId, 'utf8'));
}

function fromWire(recorded: ReadResp.ReadEvent.RecordedEvent): RawRecord {
  const metadataMap = recorded.getMetadataMap();
  const id = recorded.getId();
  const ticks = metadataMap.get('created');
  return {
    streamId: Buffer.from(recorded.getStreamIdentifier()!.getStreamName_asU8()).toString('utf8'),
    eventId: id?.hasString() ? id.getString() : '',
    type: metadataMap.get('type') ?? '',
    revision: BigInt(recorded.getStreamRevision()),
    commitPosition: BigInt(recorded.getCommitPosition()),
    data: parseJson(recorded.getData_asU8()),
    metadata: parseJson(recorded.getCustomMetadata_asU8()),
    created: new Date(ticks ? Number(BigInt(ticks) / 10_000n) : 0),
  };
}

function fromClientEvent(event: NonNullable<AllStreamResolvedEvent['event']>): RawRecord {
  return {
    streamId: event.streamId,
    eventId: event.id,
    type: event.type,
    revision: event.revision,
    commitPosition: event.position.commit,
    data: event.isJson ? event.data : parseJson(event.data as Uint8Array),
    metadata: event.metadata instanceof Uint8Array ? parseJson(event.metadata) : event.metadata,
    created: event.created,
  };
}

function parseJson(bytes: Uint8Array): unknown {
  if (bytes.length === 0) return undefined;
  const text = Buffer.from(bytes).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toPosition(commit: bigint): number {
  if (commit > BigInt(Number.MAX_SAFE_INTEGER)) throw new EventStoreError(`commit position ${commit} is beyond what a JS number holds exactly`);
  return Number(commit);
}

function toStoredEvent(record: RawRecord): StoredEvent {
  const envelope = record.metadata !== null && typeof record.metadata === 'object' && !Array.isArray(record.metadata) ? (record.metadata as Record<string, unknown>) : {};
  const { occurredOn, recordedAt, digest, ...metadata } = envelope;
  return {
    eventId: record.eventId,
    type: record.type,
    occurredOn: typeof occurredOn === 'string' ? occurredOn : null,
    data: record.data === undefined ? null : record.data,
    metadata,
    streamId: record.streamId,
    // Events written by other tools carry no envelope: the server's own timestamp stands in.
    recordedAt: typeof recordedAt === 'string' ? recordedAt : record.created.toISOString(),
    revision: Number(record.revision),
    position: toPosition(record.commitPosition),
    ...(typeof digest === 'string' ? { digest } : {}),
  };
}
