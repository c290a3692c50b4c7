import { randomUUID } from 'node:crypto';
import { filter, firstValueFrom, Subject, type Observable, type Subscription } from 'rxjs';
import { DuplicateEventIdError, StoreUnavailableError, WrongExpectedRevisionError } from '../event-store.errors';
import type { EventToAppend, StoredEvent } from '../event-store.port';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { EventStoreDbEventStore, type EventStoreDbOptions } from './eventstoredb-event-store';
import { EsdbStandIn } from './testing/esdb-stand-in';

const PREFIX = 'contract-';

/** A clock that moves one millisecond per reading, from a fixed synthetic instant. */
function steppingClock(startIso = '2026-06-01T12:00:00.000Z'): () => Date {
  let t = Date.parse(startIso);
  return () => new Date(t++);
}

function event(data: unknown = {}, eventId: string = randomUUID()): EventToAppend {
  return { eventId, type: 'StoreChecked', occurredOn: '2026-03-14', data, metadata: { source: 'spec' } };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

const fastResubscribe = { attempts: 4, initialDelayMs: 20, maxDelayMs: 100 };

describeEventStoreContract('EventStoreDbEventStore over gRPC (stand-in)', async () => {
  const server = new EsdbStandIn();
  const { connectionString } = await server.start();
  const open = () => EventStoreDbEventStore.connect(connectionString, { streamPrefix: PREFIX, clock: steppingClock() });
  let current = await open();
  return {
    store: current,
    reopen: async () => (current = await open()),
    cleanup: async () => {
      await current.close();
      await server.stop();
    },
  };
});

const realServer = process.env.EVENTSTORE_CONNECTION_STRING;
if (realServer) {
  describeEventStoreContract(`EventStoreDbEventStore against a real server at ${realServer}`, async () => {
    // The contract names fresh streams under this prefix, so $all reads see only its streams on a shared server.
    const open = () => EventStoreDbEventStore.connect(realServer, { streamPrefix: PREFIX });
    let current = await open();
    return {
      store: current,
      reopen: async () => (current = await open()),
      cleanup: async () => current.close(),
    };
  });
} else {
  describe.skip('EventStoreDbEventStore against a real server (event store contract)', () => {
    it('skipped: EVENTSTORE_CONNECTION_STRING not set (e.g. esdb://localhost:2113?tls=false after docker compose up eventstore)', () => undefined);
  });
}

describe('EventStoreDbEventStore over the wire', () => {
  let server: EsdbStandIn;
  let store: EventStoreDbEventStore;
  const stores: EventStoreDbEventStore[] = [];
  let streamNo = 0;
  const stream = () => `${PREFIX}wire-${randomUUID().slice(0, 8)}-${++streamNo}`;

  async function connect(options: Partial<EventStoreDbOptions> = {}, query = ''): Promise<EventStoreDbEventStore> {
    const opened = await EventStoreDbEventStore.connect(server.connectionString(query), {
      streamPrefix: PREFIX,
      clock: steppingClock(),
      resubscribe: fastResubscribe,
      ...options,
    });
    stores.push(opened);
    return opened;
  }

  beforeEach(async () => {
    server = new EsdbStandIn();
    await server.start();
    store = await connect();
  });
  afterEach(async () => {
    for (const opened of stores.splice(0)) await opened.close();
    await server.stop();
  });

  describe('connecting', () => {
    it('fails with StoreUnavailableError when nothing answers at the address', async () => {
      await server.stop();

      await expect(EventStoreDbEventStore.connect(server.connectionString('&defaultDeadline=1000'), { streamPrefix: PREFIX })).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
    });

    it.each([[''], ['$'], ['$system-']])('refuses the stream prefix %p', async (prefix) => {
      await expect(EventStoreDbEventStore.connect(server.connectionString(), { streamPrefix: prefix })).rejects.toBeInstanceOf(RangeError);
    });
  });

  describe('mapping the envelope', () => {
    it('never stamps an append earlier than one before it, when the clock is stepped back', async () => {
      const readings = ['2026-06-02T10:00:00.500Z', '2026-06-02T09:59:58.000Z', '2026-06-02T10:00:01.000Z'];
      const clocked = await connect({ clock: () => new Date(readings.shift()!) });
      const streamId = stream();

      for (let revision = 0; revision < 3; revision++) await clocked.append(streamId, [event({ revision })], revision === 0 ? 'no_stream' : revision - 1);

      expect((await clocked.readStream(streamId)).map((e) => e.recordedAt)).toEqual([
        '2026-06-02T10:00:00.500Z',
        '2026-06-02T10:00:00.500Z',
        '2026-06-02T10:00:01.000Z',
      ]);
    });

    it('keeps occurredOn and recordedAt in the event metadata JSON, next to the caller metadata', async () => {
      const clocked = await connect({ clock: () => new Date('2026-06-02T10:00:00.123+02:00') });
      const streamId = stream();
      const undated: EventToAppend = { eventId: randomUUID(), type: 'EventVoided', occurredOn: null, data: undefined, metadata: { actor: { id: 'u-1' }, schemaVersion: 1 } };

      const result = await clocked.append(streamId, [event({ n: 1 }), undated], 'no_stream');
      const [dated, voided] = await clocked.readStream(streamId);

      expect(result.events.map((e) => e.recordedAt)).toEqual(['2026-06-02T08:00:00.123Z', '2026-06-02T08:00:00.123Z']);
      expect(dated).toMatchObject({ occurredOn: '2026-03-14', recordedAt: '2026-06-02T08:00:00.123Z', metadata: { source: 'spec' }, data: { n: 1 } });
      expect(voided).toMatchObject({ occurredOn: null, data: null, metadata: { actor: { id: 'u-1' }, schemaVersion: 1 } });
    });

    it.each([['occurredOn'], ['recordedAt']])('refuses caller metadata that uses the reserved key %s', async (key) => {
      const streamId = stream();

      await expect(store.append(streamId, [{ ...event(), metadata: { [key]: 'x' } }], 'any')).rejects.toBeInstanceOf(TypeError);

      expect(server.eventIdsOf(streamId)).toEqual([]);
    });

    it('refuses an event id that is not a UUID, and the same id twice in one batch', async () => {
      const streamId = stream();
      const id = randomUUID();

      await expect(store.append(streamId, [event({}, 'not-a-uuid')], 'any')).rejects.toBeInstanceOf(TypeError);
      await expect(store.append(streamId, [event({}, id), event({}, id.toUpperCase())], 'any')).rejects.toBeInstanceOf(DuplicateEventIdError);

      expect(server.eventIdsOf(streamId)).toEqual([]);
    });
  });

  describe('reading $all through the prefix filter', () => {
    it('hides foreign streams and $-events from readAll, headPosition and subscriptions', async () => {
      const before = await store.headPosition();
      const ours = stream();
      const appended = await store.append(ours, [event({ n: 0 })], 'no_stream');
      server.appendSystemEvent('other-service-1', 'ForeignThing');
      server.appendSystemEvent('$stats-127.0.0.1:2113', '$statsCollected');
      server.appendSystemEvent(ours, '$metadataLike');

      const page = await store.readAll({ maxCount: 1000, ...(before === null ? {} : { after: before }) });
      const first = await firstEvents(store.subscribeToAll(before === null ? {} : { after: before }), 1);

      expect(page.events.map((e) => e.eventId)).toEqual([appended.events[0].eventId]);
      expect(page.isEnd).toBe(true);
      expect(await store.headPosition()).toBe(appended.events[0].position);
      expect(first.map((e) => e.eventId)).toEqual([appended.events[0].eventId]);
    });

    it('has no head while no stream of the prefix exists, even with system events in $all', async () => {
      server.appendSystemEvent('other-service-1', 'ForeignThing');

      expect(await store.headPosition()).toBeNull();
      expect(await store.readAll({ maxCount: 10 })).toEqual({ events: [], isEnd: true });
    });

    it('pages past a run of skipped $-events rather than reporting an empty page', async () => {
      const ours = stream();
      await store.append(ours, [event({ n: 0 })], 'no_stream');
      for (let i = 0; i < 10; i++) server.appendSystemEvent(ours, '$noise');
      const last = await store.append(ours, [event({ n: 1 })], 10);
      const head = (await store.readStream(ours))[0].position;

      const page = await store.readAll({ after: head, maxCount: 1 });

      expect(page.events.map((e) => e.eventId)).toEqual([last.events[0].eventId]);
    });
  });

  describe('appends lost on the wire', () => {
    it.each([['after-store' as const], ['before-store' as const]])(
      'reports a dropped connection (%s) as retryable; the retry with the same ids stores them once',
      async (when) => {
        const streamId = stream();
        await store.append(streamId, [event({ n: 0 })], 'no_stream');
        const batch = [event({ n: 1 }), event({ n: 2 })];
        server.dropNextAppend(when);

        const lost = await store.append(streamId, batch, 0).then(() => null, (e: unknown) => e);
        const retried = await store.append(streamId, batch, 0);

        expect(lost).toBeInstanceOf(StoreUnavailableError);
        expect(retried.nextExpectedRevision).toBe(2);
        expect(retried.events.map((e) => [e.eventId, e.revision])).toEqual(batch.map((e, i) => [e.eventId, i + 1]));
        expect(server.eventIdsOf(streamId)).toHaveLength(3);
        const stored = await store.readStream(streamId, { fromRevision: 1 });
        expect(stored.map((e) => ({ position: e.position, recordedAt: e.recordedAt }))).toEqual(retried.events.map((e) => ({ position: e.position, recordedAt: e.recordedAt })));
      },
    );

    it('answers a repeat of an acknowledged append with the first result, without writing again', async () => {
      const streamId = stream();
      const batch = [event({ n: 0 }), event({ n: 1 })];
      const first = await store.append(streamId, batch, 'no_stream');
      await store.append(streamId, [event({ n: 2 })], 1);

      const repeatedNoStream = await store.append(streamId, batch, 'no_stream');
      const repeatedAny = await store.append(streamId, batch, 'any');

      expect(repeatedNoStream).toEqual(first);
      expect(repeatedAny).toEqual(first);
      expect(server.eventIdsOf(streamId)).toHaveLength(3);
    });

    it('still rejects the same ids at another expected revision', async () => {
      const streamId = stream();
      const batch = [event({ n: 0 })];
      await store.append(streamId, batch, 'no_stream');
      await store.append(streamId, [event()], 0);

      await expect(store.append(streamId, batch, 0)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    });

    it('turns an exceeded deadline into StoreUnavailableError; the late write makes the retry a no-op', async () => {
      const hasty = await connect({}, '&defaultDeadline=150');
      const streamId = stream();
      const batch = [event({ n: 0 })];
      server.setAppendDelay(400);

      const timedOut = await hasty.append(streamId, batch, 'no_stream').then(() => null, (e: unknown) => e);
      server.setAppendDelay(0);
      await server.until(() => server.eventIdsOf(streamId).length === 1);
      const retried = await hasty.append(streamId, batch, 'no_stream');

      expect(timedOut).toBeInstanceOf(StoreUnavailableError);
      expect(retried.events.map((e) => e.eventId)).toEqual([batch[0].eventId]);
      expect(server.eventIdsOf(streamId)).toHaveLength(1);
    });

    it('appends and reads back a batch of 1,000 events in one append', async () => {
      const streamId = stream();
      const batch = range(1000).map((n) => event({ n, text: 'x'.repeat(200) }));

      const result = await store.append(streamId, batch, 'no_stream');
      const stored = await store.readStream(streamId);

      expect(result.nextExpectedRevision).toBe(999);
      expect(result.events.map((e) => e.revision)).toEqual(range(1000));
      expect(stored.map((e) => e.eventId)).toEqual(batch.map((e) => e.eventId));
      expect(stored.map((e) => e.position)).toEqual(result.events.map((e) => e.position));
    });
  });

  describe('subscriptions that drop', () => {
    it('resumes after the server closes it mid-stream, without gap or duplicate', async () => {
      const streamId = stream();
      const first = await store.append(streamId, range(5).map((n) => event({ n })), 'no_stream');
      const received: StoredEvent[] = [];
      const progress = new Subject<void>();
      const done = collectUntil(store.subscribeToAll(), received, (all) => all.filter((e) => e.streamId === streamId).length >= 15, undefined, progress);
      await receivedAtLeast(received, 5, progress);

      expect(server.closeSubscriptions()).toBe(1);
      const second = await store.append(streamId, range(5).map((n) => event({ n: 5 + n })), 4);
      await server.until(() => server.stats().openSubscriptions === 1);
      expect(server.closeSubscriptions()).toBe(1);
      const third = await store.append(streamId, range(5).map((n) => event({ n: 10 + n })), 9);
      await done;

      const ids = [...first.events, ...second.events, ...third.events].map((e) => e.eventId);
      expect(received.map((e) => e.eventId)).toEqual(ids);
      expect(server.stats().subscriptions).toBeGreaterThanOrEqual(3);
    });

    it('resumes across a server restart on the same port, keeping the data', async () => {
      const streamId = stream();
      const before = await store.append(streamId, [event({ n: 0 })], 'no_stream');
      const received: StoredEvent[] = [];
      const progress = new Subject<void>();
      const done = collectUntil(store.subscribeToAll(), received, (all) => all.length >= 2, undefined, progress);
      await receivedAtLeast(received, 1, progress);

      await server.stop();
      await server.start();
      // The adapter resubscribes on its own: once it has, the connection is up again.
      await server.until(() => server.stats().openSubscriptions === 1);
      const after = await store.append(streamId, [event({ n: 1 })], 0);
      await done;

      expect(received.map((e) => e.eventId)).toEqual([before.events[0].eventId, after.events[0].eventId]);
      expect((await store.readStream(streamId)).map((e) => e.revision)).toEqual([0, 1]);
    });

    it('errors with StoreUnavailableError once the server stays away through every retry', async () => {
      const received: StoredEvent[] = [];
      const done = collectUntil(store.subscribeToAll(), received, () => false);
      await server.until(() => server.stats().openSubscriptions === 1);

      await server.stop();

      await expect(done).rejects.toBeInstanceOf(StoreUnavailableError);
    });

    it('completes open subscriptions when the store closes', async () => {
      const completed = new Promise<string>((resolve, reject) =>
        store.subscribeToAll().subscribe({ next: () => undefined, error: reject, complete: () => resolve('completed') }),
      );
      await server.until(() => server.stats().openSubscriptions === 1);

      await store.close();

      await expect(completed).resolves.toBe('completed');
      await expect(store.readAll({ maxCount: 1 })).rejects.toBeInstanceOf(StoreUnavailableError);
      await server.until(() => server.stats().openSubscriptions === 0);
    });

    it('delivers a long catch-up in order to an observer slower than the server', async () => {
      const streamId = stream();
      const appended = await store.append(streamId, range(300).map((n) => event({ n })), 'no_stream');
      const received: StoredEvent[] = [];
      let busyUntil = 0;
      const done = collectUntil(store.subscribeToAll(), received, (all) => all.length >= 300, () => {
        // A synchronous stall per event: the pull loop cannot run ahead of the observer.
        busyUntil = Date.now() + 1;
        while (Date.now() < busyUntil);
      });

      await done;

      expect(received.map((e) => e.eventId)).toEqual(appended.events.map((e) => e.eventId));
    });
  });
});

/** Resolves once `received` holds `count` events, checked each time the collector reports one. */
async function receivedAtLeast(received: readonly StoredEvent[], count: number, progress: Subject<void>): Promise<void> {
  if (received.length >= count) return;
  await firstValueFrom(progress.pipe(filter(() => received.length >= count)));
}

/** Pushes every event into `into` until `enough` holds, then unsubscribes. */
function collectUntil(
  events: Observable<StoredEvent>,
  into: StoredEvent[],
  enough: (all: StoredEvent[]) => boolean,
  onEach?: () => void,
  progress?: Subject<void>,
): Promise<void> {
  let subscription: Subscription | undefined;
  let done = false;
  return new Promise<void>((resolve, reject) => {
    subscription = events.subscribe({
      next: (e) => {
        if (done) return;
        onEach?.();
        into.push(e);
        progress?.next();
        if (enough(into)) {
          done = true;
          subscription?.unsubscribe();
          resolve();
        }
      },
      error: reject,
      complete: () => reject(new Error(`completed after ${into.length} events`)),
    });
    if (done) subscription.unsubscribe();
  });
}

async function firstEvents(events: Observable<StoredEvent>, count: number): Promise<StoredEvent[]> {
  const into: StoredEvent[] = [];
  await collectUntil(events, into, (all) => all.length >= count);
  return into;
}
