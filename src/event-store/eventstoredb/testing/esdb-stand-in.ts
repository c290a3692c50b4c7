import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { Empty, StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { AppendReq, AppendResp, ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';

/**
 * An in-process stand-in for one insecure EventStoreDB node, speaking the real gRPC
 * wire protocol with the message classes and service definition that
 * `@eventstore/db-client` itself ships, so the client cannot tell the difference for the
 * calls implemented here: Streams.Append and Streams.Read (streams and $all, both
 * directions, counts, filters, catch-up subscriptions). Everything else answers
 * UNIMPLEMENTED, which the client takes for "server features unknown" and so falls back
 * from BatchAppend to Append. Data lives in memory and survives stop()/start() on the
 * same port, which is how the tests simulate a server restart.
 *
 * Known differences from a real server are listed in docs/eventstoredb.md.
 */

interface StoredRecord {
  readonly streamId: string;
  readonly revision: number;
  readonly eventId: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
  /** Commit and prepare position: one and the same, as for EventStoreDB's implicit transactions. */
  readonly position: number;
  /** .NET ticks (100 ns) since the Unix epoch, as the server's `created` metadata. */
  readonly created: bigint;
}

type AppendFault = 'drop-before-store' | 'drop-after-store';

interface LiveSubscription {
  readonly call: grpc.ServerWritableStream<ReadReq, ReadResp>;
  wake(): void;
}

/** The first position handed out: a real log never starts at 0 either (chunk header, epoch records). */
const FIRST_POSITION = 1024;
/** Bytes a record takes in the stand-in's imaginary log besides its payloads. */
const RECORD_OVERHEAD = 128;
/** EventStoreDB's default for a filtered read's search window when the client sets none. */
const DEFAULT_SEARCH_WINDOW = 32;

export class EsdbStandIn {
  private readonly log: StoredRecord[] = [];
  private readonly streams = new Map<string, StoredRecord[]>();
  private readonly subscriptions = new Set<LiveSubscription>();
  private readonly watchers = new Set<() => void>();
  private nextPosition = FIRST_POSITION;
  private server: grpc.Server | null = null;
  private boundPort: number | null = null;
  private appendFaults: AppendFault[] = [];
  private appendDelayMs = 0;
  private counters = { appendCalls: 0, readCalls: 0, subscriptions: 0 };

  constructor(options: { systemEvents?: boolean } = {}) {
    // A real node writes its own `$`-events into $all from the first second (stats, epochs).
    if (options.systemEvents ?? true) this.appendSystemEvent('$stats-127.0.0.1:2113', '$statsCollected');
  }

  /** Listens on 127.0.0.1: on a free port the first time, on the same port after a stop. */
  async start(): Promise<{ port: number; connectionString: string }> {
    if (this.server) throw new Error('the stand-in is already running');
    const server = new grpc.Server();
    server.addService(StreamsService, {
      read: (call: grpc.ServerWritableStream<ReadReq, ReadResp>) => this.read(call),
      append: (call: grpc.ServerReadableStream<AppendReq, AppendResp>, callback: grpc.sendUnaryData<AppendResp>) => this.append(call, callback),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${this.boundPort ?? 0}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    this.server = server;
    this.boundPort = port;
    return { port, connectionString: this.connectionString() };
  }

  connectionString(extra = ''): string {
    if (this.boundPort === null) throw new Error('the stand-in has not been started');
    return `esdb://127.0.0.1:${this.boundPort}?tls=false${extra}`;
  }

  /** Drops every connection and call at once, as a crashed or restarted node does. Data stays. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const subscription of this.subscriptions) subscription.wake();
    this.subscriptions.clear();
    this.changed();
    server.forceShutdown();
  }

  /** Ends every open subscription mid-stream with UNAVAILABLE, as a node does that drops its subscribers. */
  closeSubscriptions(): number {
    const open = [...this.subscriptions];
    this.subscriptions.clear();
    for (const subscription of open) {
      subscription.call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'subscription dropped by the server', metadata: new grpc.Metadata() });
      subscription.wake();
    }
    return open.length;
  }

  /**
   * The next Append fails as a lost connection does (UNAVAILABLE), either before the
   * events are written or after: then the writer never learns that they were stored.
   */
  dropNextAppend(when: 'before-store' | 'after-store' = 'after-store'): void {
    this.appendFaults.push(when === 'before-store' ? 'drop-before-store' : 'drop-after-store');
  }

  /** Every Append waits this long before it is written and answered (to exceed a deadline). */
  setAppendDelay(ms: number): void {
    this.appendDelayMs = ms;
  }

  /** Writes an event as another writer on the node would (a system or foreign stream). */
  appendSystemEvent(streamId: string, type: string): void {
    const revision = this.streams.get(streamId)?.length ?? 0;
    this.store([{ streamId, revision, eventId: randomUUID(), type, contentType: 'application/json', data: Buffer.from('{}'), customMetadata: new Uint8Array() }]);
  }

  /**
   * Resolves once `condition` holds, checked now and after every change the stand-in
   * makes (an event stored, a subscription opened or ended): tests wait on what happens,
   * never on a timer.
   */
  until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!condition()) return;
        this.watchers.delete(check);
        resolve();
      };
      this.watchers.add(check);
    });
  }

  private changed(): void {
    for (const check of [...this.watchers]) check();
  }

  stats(): { readonly events: number; readonly openSubscriptions: number; readonly appendCalls: number; readonly readCalls: number; readonly subscriptions: number } {
    return { events: this.log.length, openSubscriptions: this.subscriptions.size, ...this.counters };
  }

  /** Every event of a stream as stored, for tests that check nothing was written twice. */
  eventIdsOf(streamId: string): string[] {
    return (this.streams.get(streamId) ?? []).map((r) => r.eventId);
  }

  private store(records: Omit<StoredRecord, 'position' | 'created'>[]): StoredRecord[] {
    const created = BigInt(Date.now()) * 10_000n;
    const stored = records.map((r) => {
      const record: StoredRecord = { ...r, position: this.nextPosition, created };
      this.nextPosition += RECORD_OVERHEAD + r.data.length + r.customMetadata.length + r.streamId.length + r.type.length;
      this.log.push(record);
      const stream = this.streams.get(r.streamId) ?? [];
      stream.push(record);
      this.streams.set(r.streamId, stream);
      return record;
    });
    for (const subscription of this.subscriptions) subscription.wake();
    this.changed();
    return stored;
  }

  // ---------------------------------------------------------------- Append

  private append(call: grpc.ServerReadableStream<AppendReq, AppendResp>, callback: grpc.sendUnaryData<AppendResp>): void {
    this.counters.appendCalls += 1;
    let options: AppendReq.Options | undefined;
    const proposed: AppendReq.ProposedMessage[] = [];
    let failed = false;
    const fail = (code: grpc.status, details: string) => {
      if (failed) return;
      failed = true;
      callback({ code, details, metadata: new grpc.Metadata() } as grpc.ServiceError);
    };
    call.on('data', (req: AppendReq) => {
      if (req.hasOptions()) options = req.getOptions();
      else if (req.hasProposedMessage()) proposed.push(req.getProposedMessage()!);
    });
    call.on('error', () => undefined);
    call.on('end', () => {
      if (!options) return fail(grpc.status.INVALID_ARGUMENT, 'the first message of an append must carry its options');
      const opts = options;
      const fault = this.appendFaults.shift();
      const complete = () => {
        if (call.cancelled || failed) {
          // A cancelled call (deadline, client gone) was already past the point of no return here.
          if (fault !== 'drop-before-store') this.commit(opts, proposed);
          return;
        }
        if (fault === 'drop-before-store') return fail(grpc.status.UNAVAILABLE, 'connection dropped before the append was written');
        let response: AppendResp;
        try {
          response = this.commit(opts, proposed);
        } catch (error) {
          return fail(grpc.status.INVALID_ARGUMENT, (error as Error).message);
        }
        if (fault === 'drop-after-store') return fail(grpc.status.UNAVAILABLE, 'connection dropped after the append was written');
        callback(null, response);
      };
      if (this.appendDelayMs > 0) setTimeout(complete, this.appendDelayMs);
      else complete();
    });
  }

  /** Checks the expected revision and writes, or finds the same events already written (idempotence). */
  private commit(options: AppendReq.Options, proposed: readonly AppendReq.ProposedMessage[]): AppendResp {
    const streamId = Buffer.from(options.getStreamIdentifier()!.getStreamName_asU8()).toString('utf8');
    const existing = this.streams.get(streamId) ?? [];
    const current = existing.length === 0 ? null : existing.length - 1;
    const ids = proposed.map((m) => uuidString(m.getId()));
    const Case = AppendReq.Options.ExpectedStreamRevisionCase;
    const expectedCase = options.getExpectedStreamRevisionCase();

    // EventStoreDB answers a repeat of the same event ids at the same expected revision with
    // success and the revision of the first write, without writing again.
    const idempotentFrom = (from: number): AppendResp | null => {
      if (ids.length === 0 || from + ids.length > existing.length) return null;
      for (let i = 0; i < ids.length; i++) if (existing[from + i].eventId !== ids[i]) return null;
      return success(from + ids.length - 1, null);
    };
    let matches: boolean;
    switch (expectedCase) {
      case Case.ANY:
        matches = true;
        break;
      case Case.NO_STREAM:
        matches = current === null;
        if (!matches) return idempotentFrom(0) ?? wrongExpected(options, current);
        break;
      case Case.STREAM_EXISTS:
        matches = current !== null;
        break;
      case Case.REVISION: {
        const expected = Number(options.getRevision());
        matches = current === expected;
        if (!matches) return idempotentFrom(expected + 1) ?? wrongExpected(options, current);
        break;
      }
      default:
        throw new Error('the append options carry no expected revision');
    }
    if (!matches) return wrongExpected(options, current);
    if (expectedCase === Case.ANY || expectedCase === Case.STREAM_EXISTS) {
      const first = existing.findIndex((r) => r.eventId === ids[0]);
      if (first >= 0) {
        const repeat = idempotentFrom(first);
        if (repeat) return repeat;
      }
    }
    if (proposed.length === 0) return success(current, null);
    const records = this.store(
      proposed.map((m, i) => {
        const metadata = m.getMetadataMap();
        return {
          streamId,
          revision: (current ?? -1) + 1 + i,
          eventId: ids[i],
          type: metadata.get('type') ?? '',
          contentType: metadata.get('content-type') ?? 'application/octet-stream',
          data: m.getData_asU8(),
          customMetadata: m.getCustomMetadata_asU8(),
        };
      }),
    );
    const last = records[records.length - 1];
    return success(last.revision, last.position);
  }

  // ---------------------------------------------------------------- Read

  private read(call: grpc.ServerWritableStream<ReadReq, ReadResp>): void {
    this.counters.readCalls += 1;
    const options = call.request.getOptions();
    if (!options) return void call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'read options missing' });
    const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
    const filter = compileFilter(options);
    const OptionCase = ReadReq.Options.StreamOptionCase;

    if (options.getCountOptionCase() === ReadReq.Options.CountOptionCase.SUBSCRIPTION) {
      if (backwards) return void call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'subscriptions read forwards' });
      return this.subscribe(call, options, filter);
    }

    const count = Number(options.getCount());
    let selected: StoredRecord[];
    if (options.getStreamOptionCase() === OptionCase.STREAM) {
      const streamOptions = options.getStream()!;
      const streamId = Buffer.from(streamOptions.getStreamIdentifier()!.getStreamName_asU8()).toString('utf8');
      const stream = this.streams.get(streamId);
      if (!stream) {
        const notFound = new ReadResp.StreamNotFound();
        notFound.setStreamIdentifier(streamOptions.getStreamIdentifier());
        call.write(new ReadResp().setStreamNotFound(notFound));
        return void call.end();
      }
      const Rev = ReadReq.Options.StreamOptions.RevisionOptionCase;
      const from =
        streamOptions.getRevisionOptionCase() === Rev.REVISION
          ? Number(streamOptions.getRevision())
          : streamOptions.getRevisionOptionCase() === Rev.END
            ? backwards
              ? stream.length - 1
              : stream.length
            : backwards
              ? stream.length - 1
              : 0;
      selected = backwards ? stream.slice(0, Math.max(0, Math.min(from, stream.length - 1) + 1)).reverse() : stream.slice(from);
    } else {
      const all = options.getAll()!;
      const Pos = ReadReq.Options.AllOptions.AllOptionCase;
      const from = all.getAllOptionCase() === Pos.POSITION ? Number(all.getPosition()!.getCommitPosition()) : all.getAllOptionCase() === Pos.END ? Infinity : -Infinity;
      // Forwards from a position includes the event at it; backwards excludes it (post-positions).
      selected = backwards ? this.log.filter((r) => r.position < from).reverse() : this.log.filter((r) => r.position >= from);
    }
    const page = selected.filter(filter).slice(0, count);
    const isAll = options.getStreamOptionCase() === OptionCase.ALL;
    void this.writeAll(call, page.map((r) => toReadResp(r, isAll))).then((ok) => ok && call.end());
  }

  private subscribe(call: grpc.ServerWritableStream<ReadReq, ReadResp>, options: ReadReq.Options, filter: (r: StoredRecord) => boolean): void {
    this.counters.subscriptions += 1;
    const isAll = options.getStreamOptionCase() === ReadReq.Options.StreamOptionCase.ALL;
    let source: () => readonly StoredRecord[];
    let cursor: number;
    if (isAll) {
      const all = options.getAll()!;
      const Pos = ReadReq.Options.AllOptions.AllOptionCase;
      source = () => this.log;
      if (all.getAllOptionCase() === Pos.END) cursor = this.log.length;
      else if (all.getAllOptionCase() === Pos.START) cursor = 0;
      else {
        // A subscription from a position delivers what comes strictly after it.
        const after = Number(all.getPosition()!.getCommitPosition());
        cursor = this.log.findIndex((r) => r.position > after);
        if (cursor < 0) cursor = this.log.length;
      }
    } else {
      const streamOptions = options.getStream()!;
      const streamId = Buffer.from(streamOptions.getStreamIdentifier()!.getStreamName_asU8()).toString('utf8');
      source = () => this.streams.get(streamId) ?? [];
      const Rev = ReadReq.Options.StreamOptions.RevisionOptionCase;
      cursor =
        streamOptions.getRevisionOptionCase() === Rev.REVISION
          ? Number(streamOptions.getRevision()) + 1
          : streamOptions.getRevisionOptionCase() === Rev.END
            ? source().length
            : 0;
    }
    const filterOptions = options.hasFilter() ? options.getFilter()! : null;
    const checkpointEvery = filterOptions ? (filterOptions.hasMax() ? filterOptions.getMax() : DEFAULT_SEARCH_WINDOW) * Math.max(1, filterOptions.getCheckpointintervalmultiplier()) : 0;

    let wakeUp: (() => void) | null = null;
    let ended = false;
    const subscription: LiveSubscription = {
      call,
      wake: () => {
        const wake = wakeUp;
        wakeUp = null;
        wake?.();
      },
    };
    this.subscriptions.add(subscription);
    this.changed();
    const end = () => {
      ended = true;
      this.subscriptions.delete(subscription);
      subscription.wake();
      this.changed();
    };
    call.on('cancelled', end);
    call.on('close', end);
    call.on('error', end);

    const pump = async () => {
      const confirmation = new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID());
      if (!(await this.writeAll(call, [new ReadResp().setConfirmation(confirmation)]))) return end();
      let caughtUpSent = false;
      let considered = 0;
      while (!ended && this.subscriptions.has(subscription)) {
        const records = source();
        if (cursor < records.length) {
          // One record at a time, waiting for 'drain': a slow client holds the server back, not its memory.
          const record = records[cursor++];
          considered += 1;
          const out: ReadResp[] = [];
          if (filter(record)) out.push(toReadResp(record, isAll));
          if (checkpointEvery > 0 && considered % checkpointEvery === 0) {
            out.push(new ReadResp().setCheckpoint(new ReadResp.Checkpoint().setCommitPosition(String(record.position)).setPreparePosition(String(record.position))));
          }
          if (!(await this.writeAll(call, out))) return end();
          continue;
        }
        if (!caughtUpSent) {
          caughtUpSent = true;
          if (!(await this.writeAll(call, [new ReadResp().setCaughtUp(new ReadResp.CaughtUp())]))) return end();
          continue;
        }
        await new Promise<void>((resolve) => (wakeUp = resolve));
      }
    };
    void pump();
  }

  /** Writes in order, honouring the call's backpressure; false once the call is gone. */
  private async writeAll(call: grpc.ServerWritableStream<ReadReq, ReadResp>, messages: readonly ReadResp[]): Promise<boolean> {
    for (const message of messages) {
      if (call.cancelled || call.destroyed || call.writableEnded) return false;
      if (!call.write(message)) {
        const drained = await new Promise<boolean>((resolve) => {
          const onDrain = () => done(true);
          const onGone = () => done(false);
          const done = (value: boolean) => {
            call.off('drain', onDrain);
            call.off('close', onGone);
            call.off('cancelled', onGone);
            resolve(value);
          };
          call.once('drain', onDrain);
          call.once('close', onGone);
          call.once('cancelled', onGone);
        });
        if (!drained) return false;
      }
    }
    return !(call.cancelled || call.destroyed);
  }
}

function uuidString(uuid: UUID | undefined): string {
  if (!uuid) throw new Error('a proposed message carries no id');
  if (uuid.hasString()) return uuid.getString().toLowerCase();
  const structured = uuid.getStructured()!;
  const hex = (v: string) => BigInt.asUintN(64, BigInt(v)).toString(16).padStart(16, '0');
  const h = hex(structured.getMostSignificantBits()) + hex(structured.getLeastSignificantBits());
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function success(currentRevision: number | null, position: number | null): AppendResp {
  const ok = new AppendResp.Success();
  if (currentRevision === null) ok.setNoStream(new Empty());
  else ok.setCurrentRevision(String(currentRevision));
  if (position === null) ok.setNoPosition(new Empty());
  else ok.setPosition(new AppendResp.Position().setCommitPosition(String(position)).setPreparePosition(String(position)));
  return new AppendResp().setSuccess(ok);
}

function wrongExpected(options: AppendReq.Options, current: number | null): AppendResp {
  const wrong = new AppendResp.WrongExpectedVersion();
  if (current === null) wrong.setCurrentNoStream(new Empty());
  else wrong.setCurrentRevision(String(current));
  const Case = AppendReq.Options.ExpectedStreamRevisionCase;
  switch (options.getExpectedStreamRevisionCase()) {
    case Case.REVISION:
      wrong.setExpectedRevision(options.getRevision());
      break;
    case Case.NO_STREAM:
      wrong.setExpectedNoStream(new Empty());
      break;
    case Case.STREAM_EXISTS:
      wrong.setExpectedStreamExists(new Empty());
      break;
    default:
      wrong.setExpectedAny(new Empty());
  }
  return new AppendResp().setWrongExpectedVersion(wrong);
}

function toReadResp(record: StoredRecord, withCommitPosition: boolean): ReadResp {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(new UUID().setString(record.eventId))
    .setStreamIdentifier(new StreamIdentifier().setStreamName(Buffer.from(record.streamId, 'utf8')))
    .setStreamRevision(String(record.revision))
    .setPreparePosition(String(record.position))
    .setCommitPosition(String(record.position))
    .setData(record.data)
    .setCustomMetadata(record.customMetadata);
  recorded.getMetadataMap().set('type', record.type).set('content-type', record.contentType).set('created', String(record.created));
  const event = new ReadResp.ReadEvent().setEvent(recorded);
  if (withCommitPosition) event.setCommitPosition(String(record.position));
  else event.setNoPosition(new Empty());
  return new ReadResp().setEvent(event);
}

/** The server-side filter of a read: on stream name or event type, by prefixes or a regex. */
function compileFilter(options: ReadReq.Options): (record: StoredRecord) => boolean {
  if (!options.hasFilter()) return () => true;
  const filter = options.getFilter()!;
  const onStream = filter.hasStreamIdentifier();
  const expression = onStream ? filter.getStreamIdentifier()! : filter.getEventType()!;
  const prefixes = expression.getPrefixList();
  const regex = expression.getRegex() ? new RegExp(expression.getRegex()) : null;
  return (record) => {
    const subject = onStream ? record.streamId : record.type;
    if (prefixes.length > 0 && !prefixes.some((p) => subject.startsWith(p))) return false;
    if (regex && !regex.test(subject)) return false;
    return true;
  };
}
