import { randomUUID } from 'node:crypto';
import type { Observable, Subscription } from 'rxjs';
import { SealOutOfSequenceError, StoreUnavailableError, WrongExpectedRevisionError } from '../event-store.errors';
import type { AppendResult, EventStore, EventToAppend, EventToRestore, ExpectedRevision, StoredEvent } from '../event-store.port';
import { makeSeal, MerkleLog, type Seal } from '../log-seal';
import { chainDigests } from '../stream-digest';

export interface EventStoreUnderTest {
  readonly store: EventStore;
  /**
   * Opens the store again over the same data. The suite closes the previous store itself
   * first; the adapter's `cleanup` must then release the reopened one.
   */
  readonly reopen?: () => Promise<EventStore>;
  /** Releases the current store (closing an already closed store is harmless) and its data. */
  readonly cleanup: () => Promise<void>;
}

const ISO_MILLIS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The behaviour every EventStore adapter must show. It speaks only through the port, uses
 * fresh stream names in every test, and assumes of positions only that they strictly
 * increase in log order (not where they start, nor that they are contiguous), so it runs
 * against a shared server as well as against an empty file.
 */
export function describeEventStoreContract(name: string, factory: () => Promise<EventStoreUnderTest>): void {
  describe(`${name} (event store contract)`, () => {
    let subject: EventStoreUnderTest;
    let store: EventStore;
    let streamNo = 0;
    const stream = () => `contract-${randomUUID().slice(0, 8)}-${++streamNo}`;

    beforeEach(async () => {
      subject = await factory();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.cleanup();
    });

    /** Appends `count` events one append at a time, the first with no_stream. */
    async function given(streamId: string, count: number): Promise<AppendResult[]> {
      const results: AppendResult[] = [];
      for (let i = 0; i < count; i++) results.push(await store.append(streamId, [event({ n: i })], i === 0 ? 'no_stream' : i - 1));
      return results;
    }

    /** Every event of the given streams in the global log after `after`, page by page. */
    async function logOf(streams: readonly string[], after: number | null): Promise<StoredEvent[]> {
      const wanted = new Set(streams);
      const found: StoredEvent[] = [];
      let cursor = after ?? undefined;
      for (;;) {
        const page = await store.readAll({ ...(cursor === undefined ? {} : { after: cursor }), maxCount: 500 });
        found.push(...page.events.filter((e) => wanted.has(e.streamId)));
        if (page.isEnd || page.events.length === 0) return found;
        cursor = page.events[page.events.length - 1].position;
      }
    }

    describe('expected revision', () => {
      // stream at: how many events the stream holds before the append (0 = no stream).
      it.each<[string, number, ExpectedRevision, { nextExpectedRevision: number } | { actual: number | null }]>([
        ['no_stream on a new stream', 0, 'no_stream', { nextExpectedRevision: 0 }],
        ['any on a new stream', 0, 'any', { nextExpectedRevision: 0 }],
        ['stream_exists on a new stream', 0, 'stream_exists', { actual: null }],
        ['an exact revision on a new stream', 0, 0, { actual: null }],
        ['no_stream on an existing stream', 2, 'no_stream', { actual: 1 }],
        ['any on an existing stream', 2, 'any', { nextExpectedRevision: 2 }],
        ['stream_exists on an existing stream', 2, 'stream_exists', { nextExpectedRevision: 2 }],
        ['the revision of the last event', 2, 1, { nextExpectedRevision: 2 }],
        ['a stale revision', 2, 0, { actual: 1 }],
        ['a revision ahead of the stream', 2, 2, { actual: 1 }],
      ])('%s (stream holding %i events, expected %p)', async (_, existing, expected, outcome) => {
        const streamId = stream();
        await given(streamId, existing);

        const attempt = store.append(streamId, [event()], expected);

        if ('nextExpectedRevision' in outcome) {
          await expect(attempt).resolves.toMatchObject(outcome);
          expect((await store.readStream(streamId)).map((e) => e.revision)).toEqual(range(existing + 1));
        } else {
          const error = await attempt.then(() => null, (e: unknown) => e);
          expect(error).toBeInstanceOf(WrongExpectedRevisionError);
          expect(error).toMatchObject({ streamId, expected, actual: outcome.actual });
          expect(await store.readStream(streamId)).toHaveLength(existing);
        }
      });

      it('rejects a whole batch whose expected revision fails, storing none of it', async () => {
        const streamId = stream();
        await given(streamId, 1);
        const batch = [event({ n: 1 }), event({ n: 2 }), event({ n: 3 })];

        await expect(store.append(streamId, batch, 'no_stream')).rejects.toMatchObject({ actual: 0 });

        expect(await store.readStream(streamId)).toHaveLength(1);
        const retried = await store.append(streamId, batch, 0);
        expect(retried.events.map((e) => e.eventId)).toEqual(batch.map((e) => e.eventId));
      });

      it('lets exactly one of concurrent appends at the same expected revision win', async () => {
        const existing = stream();
        const fresh = stream();
        await given(existing, 1);

        const onExisting = await Promise.allSettled(range(5).map(() => store.append(existing, [event(), event()], 0)));
        const onFresh = await Promise.allSettled(range(5).map(() => store.append(fresh, [event()], 'no_stream')));

        for (const [settled, revisionsAfter] of [
          [onExisting, [0, 1, 2]],
          [onFresh, [0]],
        ] as const) {
          expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
          for (const s of settled.filter((s) => s.status === 'rejected')) {
            expect(s.reason).toBeInstanceOf(WrongExpectedRevisionError);
            expect(s.reason).toMatchObject({ actual: revisionsAfter[revisionsAfter.length - 1] });
          }
        }
        expect((await store.readStream(existing)).map((e) => e.revision)).toEqual([0, 1, 2]);
        expect((await store.readStream(fresh)).map((e) => e.revision)).toEqual([0]);
      });
    });

    describe('appending and reading', () => {
      it('gives a batch consecutive revisions, increasing positions and one recordedAt', async () => {
        const streamId = stream();
        const batch = [event(), event(), event()];

        const first = await store.append(streamId, batch, 'no_stream');
        const second = await store.append(streamId, [event()], first.nextExpectedRevision);

        expect(first.nextExpectedRevision).toBe(2);
        expect(first.events.map((e) => e.eventId)).toEqual(batch.map((e) => e.eventId));
        expect(first.events.map((e) => e.revision)).toEqual([0, 1, 2]);
        expectStrictlyIncreasing([...first.events, ...second.events].map((e) => e.position));
        expect(new Set(first.events.map((e) => e.recordedAt)).size).toBe(1);
        expect(first.events[0].recordedAt).toMatch(ISO_MILLIS_UTC);
        expect(second).toMatchObject({ nextExpectedRevision: 3, events: [{ revision: 3 }] });
      });

      it('stores the envelope as given, with the store-assigned fields of the append result', async () => {
        const streamId = stream();
        const dated: EventToAppend = {
          eventId: randomUUID(),
          type: 'AdverseEventReported',
          occurredOn: '2026-03-14',
          data: { term: 'Febrile neutropenia ✓ "grade" 3', grade: 3, ratio: 0.25, negative: -7, flags: [true, false], nothing: null, nested: { list: [{ a: 1 }, []] } },
          metadata: { actor: { id: 'synthetic-user', role: 'emitter' }, schemaVersion: 1, source: 'EDC' },
        };
        const undated: EventToAppend = { eventId: randomUUID(), type: 'EventVoided', occurredOn: null, data: { voids: dated.eventId, reason: 'entered in error' }, metadata: {} };

        const result = await store.append(streamId, [dated, undated], 'no_stream');
        const stored = await store.readStream(streamId);

        expect(stored).toEqual(
          [dated, undated].map((e, i) => ({
            ...e,
            streamId,
            revision: i,
            position: result.events[i].position,
            recordedAt: result.events[i].recordedAt,
            digest: expect.stringMatching(/^[0-9a-f]{64}$/),
          })),
        );
        const inLog = await logOf([streamId], null);
        expect(inLog).toEqual(stored);
      });

      it('reads a stream from a revision, at most maxCount events, in revision order', async () => {
        const streamId = stream();
        await given(streamId, 5);

        const cases: [{ fromRevision?: number; maxCount?: number }, number[]][] = [
          [{}, [0, 1, 2, 3, 4]],
          [{ fromRevision: 2 }, [2, 3, 4]],
          [{ fromRevision: 1, maxCount: 2 }, [1, 2]],
          [{ maxCount: 1 }, [0]],
          [{ fromRevision: 4, maxCount: 10 }, [4]],
          [{ fromRevision: 5 }, []],
        ];
        for (const [options, revisions] of cases) {
          const events = await store.readStream(streamId, options);
          expect({ options, revisions: events.map((e) => e.revision) }).toEqual({ options, revisions });
          expect(events.map((e) => e.data)).toEqual(revisions.map((n) => ({ n })));
        }
        expect(await store.readStream(stream())).toEqual([]);
      });

      it('keeps the global log in append order across streams', async () => {
        const head = await store.headPosition();
        const streams = [stream(), stream(), stream()];
        const appended: AppendResult['events'][number][] = [];
        for (let i = 0; i < 9; i++) {
          const result = await store.append(streams[i % 3], i % 4 === 0 ? [event(), event()] : [event()], 'any');
          appended.push(...result.events);
        }

        const log = await logOf(streams, head);

        expect(log.map((e) => e.eventId)).toEqual(appended.map((e) => e.eventId));
        expect(log.map((e) => e.position)).toEqual(appended.map((e) => e.position));
        expectStrictlyIncreasing(log.map((e) => e.position));
        if (head !== null) expect(log[0].position).toBeGreaterThan(head);
        for (const streamId of streams) {
          expect(log.filter((e) => e.streamId === streamId).map((e) => e.revision)).toEqual(range(log.filter((e) => e.streamId === streamId).length));
        }
      });

      it('pages the global log strictly after a position until a page reports its end', async () => {
        const head = await store.headPosition();
        const streamId = stream();
        const ids = (await store.append(streamId, range(5).map(() => event()), 'no_stream')).events.map((e) => e.eventId);

        const pages: StoredEvent[][] = [];
        let after = head;
        let ended = false;
        for (let guard = 0; guard < 1000 && !ended; guard++) {
          const page = await store.readAll({ ...(after === null ? {} : { after }), maxCount: 2 });
          expect(page.events.length).toBeLessThanOrEqual(2);
          for (const e of page.events) if (after !== null) expect(e.position).toBeGreaterThan(after);
          pages.push([...page.events]);
          ended = page.isEnd;
          if (page.events.length > 0) after = page.events[page.events.length - 1].position;
        }

        expect(ended).toBe(true);
        const all = pages.flat();
        expect(all.filter((e) => e.streamId === streamId).map((e) => e.eventId)).toEqual(ids);
        expectStrictlyIncreasing(all.map((e) => e.position));
      });

      it('reports as head the position of the last event in the log', async () => {
        const result = await store.append(stream(), [event(), event()], 'no_stream');

        const head = await store.headPosition();

        expect(head).not.toBeNull();
        expect(head!).toBeGreaterThanOrEqual(result.events[1].position);
        const after = await store.readAll({ after: head!, maxCount: 10 });
        expect(after.events.every((e) => e.position > head!)).toBe(true);
        await expect(store.ping()).resolves.toBeUndefined();
      });
    });

    describe('identity', () => {
      it('is a non-empty string, the same at every call, also after the store is closed and reopened', async () => {
        const first = await store.identity();

        expect(typeof first).toBe('string');
        expect(first.length).toBeGreaterThan(0);
        expect(await store.identity()).toBe(first);
        await store.append(stream(), [event()], 'no_stream');
        expect(await store.identity()).toBe(first);
        if (subject.reopen) {
          await store.close();
          store = await subject.reopen();
          expect(await store.identity()).toBe(first);
        }
      });
    });

    describe('subscription to the global log', () => {
      it('catches up, then goes live, with no gap or duplicate while appends run', async () => {
        const head = await store.headPosition();
        const streams = [stream(), stream(), stream()];
        const acknowledged: AppendResult['events'][number][] = [];
        const appendWave = async (wave: number, size: number) => {
          const results = await Promise.all(
            range(size).map((i) => store.append(streams[(wave + i) % 3], i % 3 === 0 ? [event({ wave }), event({ wave })] : [event({ wave })], 'any')),
          );
          for (const r of results) acknowledged.push(...r.events);
        };
        const eventsPerWave = range(12).reduce((sum, i) => sum + (i % 3 === 0 ? 2 : 1), 0);
        await appendWave(0, 12);
        const total = eventsPerWave * 5; // waves 1..4 run while the subscription catches up and goes live

        const { received, all } = collect(store.subscribeToAll(head === null ? {} : { after: head }), streams, total);
        for (let wave = 1; wave <= 4; wave++) await appendWave(wave, 12);
        const ours = await received;

        expect(acknowledged).toHaveLength(total);
        expect(ours.map((e) => e.eventId)).toEqual([...acknowledged].sort((a, b) => a.position - b.position).map((e) => e.eventId));
        expect(new Set(all.map((e) => e.eventId)).size).toBe(all.length);
        expectStrictlyIncreasing(all.map((e) => e.position));
        if (head !== null) expect(all[0].position).toBeGreaterThan(head);
      });

      it('resumes from a checkpoint, also after the store is closed and reopened', async () => {
        const head = await store.headPosition();
        const streamId = stream();
        const firstIds = (await store.append(streamId, range(6).map((n) => event({ n })), 'no_stream')).events.map((e) => e.eventId);
        const firstThree = await collect(store.subscribeToAll(head === null ? {} : { after: head }), [streamId], 3).received;
        const checkpoint = firstThree[2].position;

        if (subject.reopen) {
          await store.close();
          store = await subject.reopen();
        }
        const laterIds = (await store.append(streamId, [event({ n: 6 }), event({ n: 7 })], 5)).events.map((e) => e.eventId);
        const resumed = collect(store.subscribeToAll({ after: checkpoint }), [streamId], 6);
        const liveIds = (await store.append(streamId, [event({ n: 8 })], 7)).events.map((e) => e.eventId);

        expect(firstThree.map((e) => e.eventId)).toEqual(firstIds.slice(0, 3));
        expect((await resumed.received).map((e) => e.eventId)).toEqual([...firstIds.slice(3), ...laterIds, ...liveIds]);
        expect(resumed.all.every((e) => e.position > checkpoint)).toBe(true);
      });
    });

    describe('tamper evidence stored at write time', () => {
      it('stores with every event the chain digest of its stream, the same in stream and log reads', async () => {
        const streamId = stream();
        const other = stream();
        await store.append(streamId, [event({ n: 0 }), event({ n: 1, text: 'ünïcode "quoted"' })], 'no_stream');
        await store.append(other, [event({ n: 9 })], 'no_stream');
        await store.append(streamId, [event({ n: 2, nested: { b: 1, a: [null, 0.5] } })], 1);

        const stored = await store.readStream(streamId);
        const inLog = await logOf([streamId], null);

        expect(stored.map((e) => e.digest)).toEqual(chainDigests(stored));
        expect(inLog.map((e) => e.digest)).toEqual(stored.map((e) => e.digest));
        expect((await store.readStream(other))[0].digest).toEqual(chainDigests(await store.readStream(other))[0]);
      });

      it('restores copied events with their revisions and recording times, giving the digests they had', async () => {
        const source = stream();
        await store.append(source, [event({ n: 0 }), event({ n: 1 })], 'no_stream');
        await store.append(source, [event({ n: 2 })], 1);
        const original = await store.readStream(source);
        const target = stream();
        const copied: EventToRestore[] = original.map((e) => ({
          streamId: target,
          revision: e.revision,
          eventId: e.eventId,
          type: e.type,
          occurredOn: e.occurredOn,
          data: e.data,
          metadata: e.metadata,
          recordedAt: e.recordedAt,
        }));

        await store.restore(copied.slice(0, 2));
        await store.restore(copied.slice(2));
        const restored = await store.readStream(target);

        expect(restored.map(({ position: _p, digest: _d, streamId: _s, ...rest }) => rest)).toEqual(original.map(({ position: _p, digest: _d, streamId: _s, ...rest }) => rest));
        expect(restored.map((e) => e.digest)).toEqual(chainDigests(restored));
      });

      it('refuses a restored event that does not continue its stream, storing nothing of it', async () => {
        const target = stream();
        const gap: EventToRestore = { streamId: target, revision: 1, recordedAt: '2026-06-01T12:00:00.000Z', ...event() };

        await expect(store.restore([gap])).rejects.toBeInstanceOf(WrongExpectedRevisionError);

        expect(await store.readStream(target)).toEqual([]);
      });

      it('lists streams in id order after a cursor with their counts, recording times and head digests', async () => {
        const base = `contract-list-${randomUUID()}`;
        const [a, b, c] = [`${base}-a`, `${base}-b`, `${base}-c`];
        await store.append(b, [event(), event()], 'no_stream');
        await store.append(a, [event()], 'no_stream');
        await store.append(c, [event()], 'no_stream');
        await store.append(b, [event()], 1);

        const firstTwo = await store.listStreams({ after: base, limit: 2 });
        const rest = await store.listStreams({ after: b, limit: 10 });

        const streamB = await store.readStream(b);
        expect(firstTwo.map((s) => s.streamId)).toEqual([a, b]);
        expect(firstTwo[1]).toEqual({
          streamId: b,
          eventCount: 3,
          headRevision: 2,
          firstRecordedAt: streamB[0].recordedAt,
          lastRecordedAt: streamB[2].recordedAt,
          headDigest: streamB[2].digest,
        });
        expect(rest[0].streamId).toBe(c);
      });

      it('keeps a chain of seals: the next one only, then read back in sequence order', async () => {
        const before = await store.readSeals();
        const last = before[before.length - 1] ?? null;
        const streamId = stream();
        const appended = await store.append(streamId, [event(), event()], 'no_stream');
        const tree = MerkleLog.empty();
        for (const e of await store.readStream(streamId)) tree.add(e.digest!);
        const seal = (sequence: number, previous: Seal | null): Seal =>
          makeSeal({
            sequence,
            position: appended.events[1].position,
            count: tree.count,
            merkleRoot: tree.root(),
            frontier: tree.frontier(),
            previousSealDigest: previous?.digest ?? null,
            sealedAt: '2026-06-01T12:00:00.000Z',
          });
        const next = seal((last?.sequence ?? 0) + 1, last);

        await expect(store.appendSeal(seal((last?.sequence ?? 0) + 2, last))).rejects.toBeInstanceOf(SealOutOfSequenceError);
        await expect(store.appendSeal({ ...next, previousSealDigest: 'f'.repeat(64) })).rejects.toBeInstanceOf(SealOutOfSequenceError);
        await store.appendSeal(next);
        await expect(store.appendSeal(next)).rejects.toBeInstanceOf(SealOutOfSequenceError);
        const after = seal(next.sequence + 1, next);
        await store.appendSeal(after);

        expect(await store.readSeals({ fromSequence: next.sequence })).toEqual([next, after]);
        expect(await store.readSeals({ fromSequence: next.sequence, maxCount: 1 })).toEqual([next]);
        if (subject.reopen) {
          await store.close();
          store = await subject.reopen();
          expect(await store.readSeals({ fromSequence: next.sequence })).toEqual([next, after]);
        }
      });
    });

    describe('closing', () => {
      it('waits for in-flight appends, then rejects new ones', async () => {
        const streamId = stream();
        const inFlight = range(5).map((n) => store.append(streamId, [event({ n })], 'any'));

        await store.close();

        const settled = await Promise.allSettled(inFlight);
        expect(settled.map((s) => s.status)).toEqual(range(5).map(() => 'fulfilled'));
        await expect(store.append(streamId, [event()], 'any')).rejects.toBeInstanceOf(StoreUnavailableError);
        await expect(store.close()).resolves.toBeUndefined();
        if (subject.reopen) {
          store = await subject.reopen();
          expect((await store.readStream(streamId)).map((e) => e.data)).toEqual(range(5).map((n) => ({ n })));
        }
      });
    });
  });
}

function event(data: unknown = {}): EventToAppend {
  return { eventId: randomUUID(), type: 'ContractChecked', occurredOn: '2026-03-14', data, metadata: { source: 'contract' } };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function expectStrictlyIncreasing(positions: readonly number[]): void {
  const offenders = positions.filter((p, i) => i > 0 && p <= positions[i - 1]);
  expect(offenders).toEqual([]);
}

/**
 * Subscribes and resolves with the first `count` events of `streams` (then unsubscribes);
 * `all` holds every event received, of any stream, to check order and duplicates.
 */
function collect(events: Observable<StoredEvent>, streams: readonly string[], count: number): { received: Promise<StoredEvent[]>; all: StoredEvent[] } {
  const wanted = new Set(streams);
  const all: StoredEvent[] = [];
  const ours: StoredEvent[] = [];
  let subscription: Subscription | undefined;
  let done = false;
  const received = new Promise<StoredEvent[]>((resolve, reject) => {
    subscription = events.subscribe({
      next: (e) => {
        if (done) return;
        all.push(e);
        if (wanted.has(e.streamId)) ours.push(e);
        if (ours.length >= count) {
          done = true;
          subscription?.unsubscribe();
          resolve(ours);
        }
      },
      error: reject,
      complete: () => reject(new Error(`subscription completed after ${ours.length} of ${count} events`)),
    });
    if (done) subscription.unsubscribe();
  });
  return { received, all };
}
