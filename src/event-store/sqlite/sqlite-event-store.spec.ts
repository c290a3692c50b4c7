import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startWriterProcess } from '../../../test/support/sqlite-writer.process';
import { DuplicateEventIdError, StoredDataCorruptError, StoreFullError, StoreLockedError, StoreUnavailableError, WrongExpectedRevisionError } from '../event-store.errors';
import type { AppendResult, EventToAppend, StoredEvent } from '../event-store.port';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { chainDigests } from '../stream-digest';
import { EVENTS_FILE, MIGRATIONS, migrate, SqliteEventStore, type EventStoreLogger, type Migration } from './sqlite-event-store';

/** A clock that moves one millisecond per reading, from a fixed synthetic instant. */
function steppingClock(startIso = '2026-06-01T12:00:00.000Z'): () => Date {
  let t = Date.parse(startIso);
  return () => new Date(t++);
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sqlite-event-store-'));
}

function event(data: unknown = {}, eventId: string = randomUUID()): EventToAppend {
  return { eventId, type: 'StoreChecked', occurredOn: '2026-03-14', data, metadata: {} };
}

describeEventStoreContract('SqliteEventStore, pages of 3', async () => {
  const dataDir = tempDir();
  const clock = steppingClock();
  // Small pages make every subscription cross page boundaries while appends run.
  let current = await SqliteEventStore.open({ dataDir, clock, pageSize: 3 });
  return {
    store: current,
    reopen: async () => (current = await SqliteEventStore.open({ dataDir, clock, pageSize: 3 })),
    cleanup: async () => {
      await current.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});

describe('SqliteEventStore', () => {
  let dataDir: string;
  let store: SqliteEventStore;

  beforeEach(async () => {
    dataDir = tempDir();
    store = await SqliteEventStore.open({ dataDir, clock: steppingClock(), logger: pino({ level: 'silent' }) });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('has no head when empty, and a subscription without a position starts at the first event', async () => {
    expect(await store.headPosition()).toBeNull();

    const appended = await store.append('s', [event({ n: 0 }), event({ n: 1 })], 'no_stream');
    const first = await new Promise<StoredEvent>((resolve) => {
      const subscription = store.subscribeToAll().subscribe((e) => {
        subscription.unsubscribe();
        resolve(e);
      });
    });

    expect(first.eventId).toBe(appended.events[0].eventId);
    expect(await store.headPosition()).toBe(appended.events[1].position);
  });

  it('stamps every event of an append with the injected clock, in ISO 8601 UTC with milliseconds', async () => {
    let now = new Date('2026-06-01T09:30:00.000Z');
    const clocked = await reopenWith({ clock: () => now });

    const first = await clocked.append('s', [event(), event()], 'no_stream');
    now = new Date('2026-06-02T10:00:00.123+02:00');
    const second = await clocked.append('s', [event()], 1);

    expect(first.events.map((e) => e.recordedAt)).toEqual(['2026-06-01T09:30:00.000Z', '2026-06-01T09:30:00.000Z']);
    expect(second.events[0].recordedAt).toBe('2026-06-02T08:00:00.123Z');
    expect((await clocked.readStream('s')).map((e) => e.recordedAt)).toEqual([
      '2026-06-01T09:30:00.000Z',
      '2026-06-01T09:30:00.000Z',
      '2026-06-02T08:00:00.123Z',
    ]);
  });

  it('never stamps a commit earlier than the last one, when the clock is stepped back, even across a reopening', async () => {
    // Given a clock read at 10:00:00.500, then stepped back two seconds (NTP, a migrated VM)
    let now = '2026-06-02T10:00:00.500Z';
    const clocked = await reopenWith({ clock: () => new Date(now) });
    await clocked.append('a', [event()], 'no_stream');
    now = '2026-06-02T09:59:58.000Z';

    // When appends follow, in this process and after a reopening
    await clocked.append('a', [event()], 0);
    const reopened = await reopenWith({ clock: () => new Date(now) });
    await reopened.append('b', [event()], 'no_stream');
    now = '2026-06-02T10:00:01.000Z';
    await reopened.append('a', [event()], 1);

    // Then recording time never goes back in log order, so a recordedBefore slice is a prefix of each stream
    const log = (await reopened.readAll({ maxCount: 10 })).events.map((e) => [e.streamId, e.recordedAt]);
    expect(log).toEqual([
      ['a', '2026-06-02T10:00:00.500Z'],
      ['a', '2026-06-02T10:00:00.500Z'],
      ['b', '2026-06-02T10:00:00.500Z'],
      ['a', '2026-06-02T10:00:01.000Z'],
    ]);
  });

  it('reports the end of the log on the page that reaches it, even when that page is full', async () => {
    const { events } = await store.append('s', [event(), event(), event()], 'no_stream');
    const [p0, , p2] = events.map((e) => e.position);

    const cases: [{ after?: number; maxCount: number }, number, boolean][] = [
      [{ maxCount: 2 }, 2, false],
      [{ maxCount: 3 }, 3, true],
      [{ after: p0, maxCount: 2 }, 2, true],
      [{ after: p2, maxCount: 2 }, 0, true],
    ];
    for (const [options, count, isEnd] of cases) {
      const page = await store.readAll(options);
      expect({ options, count: page.events.length, isEnd: page.isEnd }).toEqual({ options, count, isEnd });
    }
  });

  describe('group commit', () => {
    it('commits appends that arrive together in one transaction, where a stale one fails alone', async () => {
      await store.append('existing', [event(), event()], 'no_stream');
      const before = store.stats();

      const fresh = Array.from({ length: 40 }, (_, i) => store.append(`fresh-${i}`, [event({ i })], 'no_stream'));
      const stale = store.append('existing', [event({ stale: true })], 0);
      const firstOfTwins = store.append('twin', [event({ twin: 1 })], 'no_stream');
      const secondOfTwins = store.append('twin', [event({ twin: 2 })], 'no_stream');
      const onTopOfFirst = store.append('twin', [event({ twin: 3 })], 0);
      const settled = await Promise.allSettled([...fresh, stale, firstOfTwins, secondOfTwins, onTopOfFirst]);

      expect(store.stats()).toMatchObject({ transactions: before.transactions + 1, appends: before.appends + 42, events: before.events + 42 });
      const outcome = settled.map((s) => (s.status === 'fulfilled' ? 'ok' : (s.reason as Error).name));
      expect(outcome).toEqual([...fresh.map(() => 'ok'), 'WrongExpectedRevisionError', 'ok', 'WrongExpectedRevisionError', 'ok']);
      expect(settled[40]).toMatchObject({ reason: { actual: 1, expected: 0 } });
      expect(settled[42]).toMatchObject({ reason: { actual: 0, expected: 'no_stream' } });
      const positions = settled.flatMap((s) => (s.status === 'fulfilled' ? (s.value as AppendResult).events.map((e) => e.position) : []));
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      expect((await store.readStream('existing')).map((e) => e.data)).toEqual([{}, {}]);
      expect((await store.readStream('twin')).map((e) => e.data)).toEqual([{ twin: 1 }, { twin: 3 }]);
    });

    it('commits appends that arrive one after another in one transaction each', async () => {
      for (let i = 0; i < 5; i++) await store.append('s', [event()], i === 0 ? 'no_stream' : i - 1);

      expect(store.stats()).toMatchObject({ transactions: 5, appends: 5, events: 5 });
    });

    it('rejects every append of a group whose transaction fails, and stores none of them', async () => {
      let broken = true;
      const faulty = await reopenWith({
        clock: () => {
          if (broken) throw new Error('clock unavailable');
          return new Date('2026-06-01T12:00:00.000Z');
        },
      });

      const settled = await Promise.allSettled([faulty.append('a', [event()], 'any'), faulty.append('b', [event(), event()], 'no_stream')]);
      broken = false;

      expect(settled.map((s) => s.status === 'rejected' && s.reason instanceof StoreUnavailableError)).toEqual([true, true]);
      expect(await faulty.headPosition()).toBeNull();
      await expect(faulty.append('a', [event()], 'no_stream')).resolves.toMatchObject({ nextExpectedRevision: 0 });
    });
  });

  describe('event ids', () => {
    it('refuses an event id already stored in the stream, storing nothing of the batch', async () => {
      const taken = randomUUID();
      await store.append('s', [event({}, taken)], 'no_stream');

      const error = await store.append('s', [event(), event({}, taken)], 'any').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(DuplicateEventIdError);
      expect(error).toMatchObject({ eventId: taken });
      expect(await store.readStream('s')).toHaveLength(1);
    });

    it('keeps ids unique per stream, as EventStoreDB does: the same id may stand in another stream', async () => {
      const shared = randomUUID();
      await store.append('first', [event({ n: 1 }, shared)], 'no_stream');

      await store.append('second', [event({ n: 2 }, shared)], 'no_stream');

      expect((await store.readStream('second')).map((e) => [e.eventId, e.data])).toEqual([[shared, { n: 2 }]]);
    });

    it('refuses the same event id twice in one batch', async () => {
      const twice = randomUUID();

      await expect(store.append('s', [event({}, twice), event({}, twice)], 'any')).rejects.toMatchObject({ name: 'DuplicateEventIdError', eventId: twice });
      expect(await store.readStream('s')).toEqual([]);
    });
  });

  describe('schema migrations', () => {
    it('migrates a new file to the last version and applies nothing again on reopening', async () => {
      const opened: Record<string, unknown>[] = [];
      const logger: EventStoreLogger = { info: (fields, message) => message === 'event store opened' && opened.push(fields), error: () => undefined };
      const dir = tempDir();
      try {
        const first = await SqliteEventStore.open({ dataDir: dir, logger });
        await first.append('s', [event({ kept: true })], 'no_stream');
        await first.close();
        const second = await SqliteEventStore.open({ dataDir: dir, logger });
        const events = await second.readStream('s');
        await second.close();

        expect(opened.map((f) => [f.schemaFrom, f.schemaTo])).toEqual([
          [0, MIGRATIONS.length],
          [MIGRATIONS.length, MIGRATIONS.length],
        ]);
        expect(events.map((e) => e.data)).toEqual([{ kept: true }]);
        expect(userVersion(join(dir, EVENTS_FILE))).toBe(MIGRATIONS.length);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('moves a version 1 file to per-stream event ids, keeping every event, its position and the position high-water mark', async () => {
      const dir = tempDir();
      try {
        const db = new Database(join(dir, EVENTS_FILE));
        migrate(db, MIGRATIONS.slice(0, 1));
        const insert = db.prepare(
          "INSERT INTO events (stream_id, revision, event_id, type, occurred_on, data, metadata, recorded_at) VALUES (?, ?, ?, 'StoreChecked', NULL, ?, '{}', '2026-06-01T12:00:00.000Z')",
        );
        insert.run('a', 0, 'id-a0', '{"n":0}');
        insert.run('b', 0, 'id-b0', '{"n":1}');
        insert.run('a', 1, 'id-a1', '{"n":2}');
        // A rolled-forward sequence (e.g. rows removed by hand) must not let positions be reused.
        db.prepare("UPDATE sqlite_sequence SET seq = 10 WHERE name = 'events'").run();
        db.close();

        const migrated = await SqliteEventStore.open({ dataDir: dir });
        const before = (await migrated.readAll({ maxCount: 10 })).events.map((e) => [e.position, e.streamId, e.revision, e.eventId, e.data]);
        const appended = await migrated.append('c', [event({}, 'id-a0')], 'no_stream');
        await migrated.close();

        expect(before).toEqual([
          [1, 'a', 0, 'id-a0', { n: 0 }],
          [2, 'b', 0, 'id-b0', { n: 1 }],
          [3, 'a', 1, 'id-a1', { n: 2 }],
        ]);
        expect(appended.events[0].position).toBe(11);
        expect(userVersion(join(dir, EVENTS_FILE))).toBe(MIGRATIONS.length);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('gives every event of a file written before stored digests its chain digest, once, then chains new appends from it', async () => {
      const dir = tempDir();
      try {
        const db = new Database(join(dir, EVENTS_FILE));
        migrate(db, MIGRATIONS.slice(0, 2));
        const insert = db.prepare(
          "INSERT INTO events (stream_id, revision, event_id, type, occurred_on, data, metadata, recorded_at) VALUES (?, ?, ?, 'StoreChecked', '2026-03-14', ?, ?, '2026-06-01T12:00:00.000Z')",
        );
        insert.run('b', 0, 'id-b0', '{"z":1,"a":2}', '{"source":"SYN"}');
        insert.run('a', 0, 'id-a0', '{"n":0}', '{}');
        insert.run('b', 1, 'id-b1', '{"n":2}', '{}');
        db.close();

        const migrated = await SqliteEventStore.open({ dataDir: dir, clock: steppingClock() });
        await migrated.append('b', [event({ n: 3 })], 1);
        const streamB = await migrated.readStream('b');
        const streamA = await migrated.readStream('a');
        await migrated.close();

        expect(streamB.map((e) => e.digest)).toEqual(chainDigests(streamB));
        expect(streamA.map((e) => e.digest)).toEqual(chainDigests(streamA));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('applies only the missing migrations of an existing file, in order, all or none', () => {
      const db = new Database(':memory:');
      const v1: Migration = { version: 1, description: 'notes', sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)' };
      const v2: Migration = { version: 2, description: 'tags', sql: 'CREATE TABLE tags (note_id INTEGER, tag TEXT)' };
      const v3: Migration = { version: 3, description: 'broken', sql: 'CREATE TABLE half (x); INSERT INTO missing VALUES (1)' };
      const tables = () => db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();

      expect(migrate(db, [v1])).toEqual({ from: 0, to: 1 });
      db.prepare("INSERT INTO notes (text) VALUES ('kept')").run();
      expect(migrate(db, [v1, v2])).toEqual({ from: 1, to: 2 });
      expect(() => migrate(db, [v1, v2, v3])).toThrow(/no such table: missing/);

      expect(tables()).toEqual(['notes', 'tags']);
      expect(db.pragma('user_version', { simple: true })).toBe(2);
      expect(db.prepare('SELECT text FROM notes').pluck().all()).toEqual(['kept']);
      expect(() => migrate(db, [v2])).toThrow(/versions must run 1, 2, 3/);
      db.close();
    });

    it('refuses a file written by a newer schema and leaves it untouched', async () => {
      const dir = tempDir();
      try {
        const db = new Database(join(dir, EVENTS_FILE));
        db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
        db.close();

        await expect(SqliteEventStore.open({ dataDir: dir })).rejects.toThrow(StoreUnavailableError);
        expect(userVersion(join(dir, EVENTS_FILE))).toBe(MIGRATIONS.length + 1);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('one holder of the data dir', () => {
    it('refuses a second store on the same data dir in this process', async () => {
      await store.append('s', [event()], 'no_stream');

      await expect(SqliteEventStore.open({ dataDir })).rejects.toBeInstanceOf(StoreLockedError);
      await expect(store.append('s', [event()], 0)).resolves.toMatchObject({ nextExpectedRevision: 1 });
    });

    it('refuses another process while this one holds the store', async () => {
      await store.append('s', [event()], 'no_stream');

      const other = startWriterProcess(['write', dataDir, '3', '2']);
      const { code } = await other.exited;

      expect({ code, lines: other.lines }).toEqual({ code: 3, lines: ['locked'] });
      expect((await store.readStream('s')).map((e) => e.revision)).toEqual([0]);
      await expect(store.append('s', [event()], 0)).resolves.toMatchObject({ nextExpectedRevision: 1 });
    });

    it('is refused while another process holds the store, and opens once that process is killed', async () => {
      await store.close();
      const holder = startWriterProcess(['hold', dataDir]);
      try {
        await holder.waitUntil((lines) => lines.includes('ready'));

        await expect(SqliteEventStore.open({ dataDir })).rejects.toBeInstanceOf(StoreLockedError);

        holder.child.kill('SIGKILL');
        await holder.exited;
        store = await SqliteEventStore.open({ dataDir });
        await expect(store.append('s', [event()], 'no_stream')).resolves.toMatchObject({ nextExpectedRevision: 0 });
      } finally {
        holder.child.kill('SIGKILL');
      }
    });
  });

  describe('subscription', () => {
    it('emits one page per turn of the event loop, so a consumer runs between pages', async () => {
      const paged = await reopenWith({ pageSize: 4 });
      await paged.append('s', Array.from({ length: 10 }, (_, n) => event({ n })), 'no_stream');
      let received = 0;
      let receivedWhenConsumerRan = -1;

      await new Promise<void>((resolve) => {
        const subscription = paged.subscribeToAll().subscribe(() => {
          received++;
          if (received === 1) setImmediate(() => (receivedWhenConsumerRan = received));
          if (received === 10) {
            subscription.unsubscribe();
            resolve();
          }
        });
      });

      expect(receivedWhenConsumerRan).toBe(4);
    });

    it('stops following the log when unsubscribed', async () => {
      await store.append('s', [event({ n: 0 }), event({ n: 1 }), event({ n: 2 })], 'no_stream');
      const leaving: number[] = [];
      const leaver = store.subscribeToAll().subscribe((e) => {
        leaving.push(e.revision);
        if (e.revision === 1) leaver.unsubscribe();
      });
      const staying = new Promise<number[]>((resolve) => {
        const seen: number[] = [];
        const subscription = store.subscribeToAll().subscribe((e) => {
          seen.push(e.revision);
          if (e.revision === 4) {
            subscription.unsubscribe();
            resolve(seen);
          }
        });
      });
      expect(store.stats().subscriptions).toBe(2);

      await store.append('s', [event({ n: 3 })], 2);
      const subscriptionsAfterLeaving = store.stats().subscriptions;
      await store.append('s', [event({ n: 4 })], 3);

      expect(await staying).toEqual([0, 1, 2, 3, 4]);
      expect(leaving).toEqual([0, 1]);
      expect(subscriptionsAfterLeaving).toBe(1);
      expect(store.stats().subscriptions).toBe(0);
    });

    it('completes when the store closes', async () => {
      const completed = new Promise<string>((resolve) => store.subscribeToAll().subscribe({ complete: () => resolve('completed'), error: () => resolve('errored') }));
      await store.append('s', [event()], 'no_stream');

      await store.close();

      expect(await completed).toBe('completed');
    });
  });

  it('given a full disk, refuses appends with StoreFullError and fails ping until a probe finds room, then takes appends again', async () => {
    await store.append('s', [event()], 'no_stream');
    const { pageCount } = store.setMaxPageCount(1);
    store.setMaxPageCount(pageCount);
    let refused: unknown = null;
    for (let n = 0; n < 200 && refused === null; n++) refused = await store.append('s', [event({ filler: 'x'.repeat(2000) })], 'any').then(() => null, (e: unknown) => e);

    expect(refused).toBeInstanceOf(StoreFullError);
    await expect(store.ping()).rejects.toBeInstanceOf(StoreFullError);
    store.setMaxPageCount(1_000_000);
    await expect(store.ping()).resolves.toBeUndefined();
    await expect(store.append('s', [event({ filler: 'x'.repeat(2000) })], 'any')).resolves.toMatchObject({ events: [{ eventId: expect.any(String) }] });
  });

  it('given an event whose data is not JSON, reads of it reject with StoredDataCorruptError naming stream and position, and ping reports it', async () => {
    const { events } = await store.append('s', [event({ n: 0 }), event({ n: 1 })], 'no_stream');
    await store.close();
    const db = new Database(join(dataDir, EVENTS_FILE));
    db.prepare('UPDATE events SET data = ? WHERE position = ?').run('{"SYNTHETIC', events[1].position);
    db.close();
    store = await SqliteEventStore.open({ dataDir, clock: steppingClock(), logger: pino({ level: 'silent' }) });

    const damage = { streamId: 's', position: events[1].position, field: 'data' };
    await expect(store.readStream('s')).rejects.toMatchObject(damage);
    await expect(store.readAll({ maxCount: 10 })).rejects.toBeInstanceOf(StoredDataCorruptError);
    await expect(store.ping()).rejects.toMatchObject({ ...damage, knownDamaged: 1 });
    expect(await store.readStream('s', { maxCount: 1 })).toHaveLength(1);
  });

  it('gets a new identity when its file is emptied, and keeps it otherwise', async () => {
    const before = await store.identity();
    await store.close();
    store = await SqliteEventStore.open({ dataDir });
    expect(await store.identity()).toBe(before);
    await store.close();

    truncateSync(join(dataDir, EVENTS_FILE), 0);
    store = await SqliteEventStore.open({ dataDir });

    expect(await store.identity()).toMatch(/^sqlite:[0-9a-f]{32}$/);
    expect(await store.identity()).not.toBe(before);
  });

  it('answers ping while open and rejects every call once closed', async () => {
    await expect(store.ping()).resolves.toBeUndefined();

    await store.close();

    for (const call of [() => store.ping(), () => store.headPosition(), () => store.readStream('s'), () => store.readAll({ maxCount: 1 }), () => store.append('s', [event()], 'any')]) {
      await expect(call()).rejects.toBeInstanceOf(StoreUnavailableError);
    }
  });

  it('refuses an invalid expected revision before queueing anything', async () => {
    for (const expected of [-1, 1.5, Number.NaN]) {
      await expect(store.append('s', [event()], expected)).rejects.toBeInstanceOf(RangeError);
    }
    expect(store.stats().transactions).toBe(0);
    await expect(store.append('s', [event()], 3)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
  });

  async function reopenWith(options: Omit<Parameters<typeof SqliteEventStore.open>[0], 'dataDir'>): Promise<SqliteEventStore> {
    await store.close();
    store = await SqliteEventStore.open({ dataDir, ...options });
    return store;
  }
});

function userVersion(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}
