import Database from 'better-sqlite3';
import { join } from 'node:path';
import { Observable } from 'rxjs';
import { ownerOnlyDatabaseFile, ownerOnlyDir } from '../../common/files/owner-only';
import {
  DuplicateEventIdError,
  EventStoreError,
  SealOutOfSequenceError,
  StoreLockedError,
  StoredDataCorruptError,
  StoreFullError,
  StoreUnavailableError,
  WrongExpectedRevisionError,
} from '../event-store.errors';
import type { AppendResult, EventStore, EventToAppend, EventToRestore, ExpectedRevision, ReadAllPage, StoredEvent, StreamSummary } from '../event-store.port';
import { canonicalJson } from '../../common/canonical-json';
import type { Seal } from '../log-seal';
import { linkDigest } from '../stream-digest';

/** The one database file of the store, under the data dir. */
export const EVENTS_FILE = 'events.sqlite';

/** Structured logging, as pino's logger offers it. */
export interface EventStoreLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn?(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface SqliteEventStoreOptions {
  readonly dataDir: string;
  readonly clock?: () => Date;
  readonly logger?: EventStoreLogger;
  /** Events a subscription reads at a time: the most it holds in memory. Default 1,000. */
  readonly pageSize?: number;
  /** How long opening waits for another holder of the file before StoreLockedError. Default 0. */
  readonly lockTimeoutMs?: number;
}

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
  /** A step SQL cannot express, run after `sql` in the same transaction. */
  readonly run?: (db: Database.Database) => void;
}

/**
 * Ordered schema history; `user_version` holds the number of the last one applied.
 * Append new migrations, never edit applied ones.
 *
 * data and metadata are JSON text written by JSON.stringify, so they are not re-validated
 * by SQLite. AUTOINCREMENT keeps positions from ever being reused, even after a delete.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'events: the global log with per-stream revisions',
    sql: `CREATE TABLE events (
            position     INTEGER PRIMARY KEY AUTOINCREMENT,
            stream_id    TEXT    NOT NULL,
            revision     INTEGER NOT NULL CHECK (revision >= 0),
            event_id     TEXT    NOT NULL UNIQUE,
            type         TEXT    NOT NULL,
            occurred_on  TEXT,
            data         TEXT    NOT NULL,
            metadata     TEXT    NOT NULL,
            recorded_at  TEXT    NOT NULL,
            UNIQUE (stream_id, revision)
          ) STRICT;`,
  },
  {
    version: 2,
    description: 'event ids unique per stream, as in EventStoreDB, not across the whole log',
    // A unique index on random UUIDs over the whole log dirties a random page per event
    // and cut batch appends to a third at a million events; per stream, a batch's ids sit together.
    // SQLite cannot drop a column's UNIQUE, so the table is copied with its positions and its
    // AUTOINCREMENT high-water mark, then swapped in.
    sql: `CREATE TEMP TABLE previous_sequence AS SELECT seq FROM sqlite_sequence WHERE name = 'events';
          CREATE TABLE events_v2 (
            position     INTEGER PRIMARY KEY AUTOINCREMENT,
            stream_id    TEXT    NOT NULL,
            revision     INTEGER NOT NULL CHECK (revision >= 0),
            event_id     TEXT    NOT NULL,
            type         TEXT    NOT NULL,
            occurred_on  TEXT,
            data         TEXT    NOT NULL,
            metadata     TEXT    NOT NULL,
            recorded_at  TEXT    NOT NULL,
            UNIQUE (stream_id, revision),
            UNIQUE (stream_id, event_id)
          ) STRICT;
          INSERT INTO events_v2 (position, stream_id, revision, event_id, type, occurred_on, data, metadata, recorded_at)
            SELECT position, stream_id, revision, event_id, type, occurred_on, data, metadata, recorded_at FROM events ORDER BY position;
          DROP TABLE events;
          ALTER TABLE events_v2 RENAME TO events;
          UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM temp.previous_sequence), 0)) WHERE name = 'events';
          DROP TABLE temp.previous_sequence;`,
  },
  {
    version: 3,
    description: 'a table for probing free space after the disk filled',
    // While appends fail for lack of space, a health probe writes one row here and deletes it
    // again: what tells the store, without restarting, that it can commit once more.
    sql: `CREATE TABLE space_probe (bytes BLOB NOT NULL) STRICT;`,
  },
  {
    version: 4,
    description: 'the identity of this log, made once with the file',
    // A file emptied or deleted is made anew with another id, which tells the read model it follows another log.
    sql: `CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
          INSERT INTO store_meta (key, value) VALUES ('store_id', lower(hex(randomblob(16))));`,
  },
  {
    version: 5,
    description: 'tamper evidence: each event\'s chain digest stored with it, and the seals of the log',
    // The digests of a file written before this step are computed here, once: they prove
    // only that nothing changed after the migration, not before it (docs/decisions.md, Audit).
    sql: `ALTER TABLE events ADD COLUMN digest TEXT;
          CREATE TABLE seals (
            sequence      INTEGER PRIMARY KEY CHECK (sequence >= 1),
            position      INTEGER NOT NULL,
            count         INTEGER NOT NULL,
            merkle_root   TEXT    NOT NULL,
            frontier      TEXT    NOT NULL,
            previous_digest TEXT,
            sealed_at     TEXT    NOT NULL,
            digest        TEXT    NOT NULL
          ) STRICT;`,
    run: digestExistingEvents,
  },
];

/** Computes and stores the chain digest of every event already in the file, stream by stream. */
function digestExistingEvents(db: Database.Database): void {
  const page = db
    .prepare<[string, number, number], [number, string, number, string, string, string | null, string, string, string]>(
      `SELECT position, stream_id, revision, event_id, type, occurred_on, data, metadata, recorded_at FROM events
        WHERE (stream_id, revision) > (?, ?) ORDER BY stream_id, revision LIMIT ?`,
    )
    .raw();
  const update = db.prepare<[string, number]>('UPDATE events SET digest = ? WHERE position = ?');
  let after: [string, number] = ['', -1];
  let stream = '';
  let previous = '';
  for (;;) {
    const rows = page.all(after[0], after[1], 10_000);
    for (const [position, streamId, revision, eventId, type, occurredOn, data, metadata, recordedAt] of rows) {
      if (streamId !== stream) [stream, previous] = [streamId, ''];
      previous = linkDigest(previous, {
        streamId,
        revision,
        eventId,
        type,
        occurredOn,
        canonicalData: canonicalJson(JSON.parse(data)),
        canonicalMetadata: canonicalJson(JSON.parse(metadata)),
        recordedAt,
      });
      update.run(previous, position);
    }
    if (rows.length < 10_000) return;
    const last = rows[rows.length - 1];
    after = [last[1], last[2]];
  }
}

/**
 * Brings the schema from `user_version` to the last migration, all in one transaction:
 * a failing migration leaves the file as it was. Refuses a file written by a newer schema.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): { from: number; to: number } {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration #${i + 1} has version ${m.version}; versions must run 1, 2, 3...`);
  });
  return db.transaction(() => {
    const from = db.pragma('user_version', { simple: true }) as number;
    if (from > migrations.length) {
      throw new StoreUnavailableError(`schema version ${from} is newer than this build knows (${migrations.length})`);
    }
    for (const m of migrations.slice(from)) {
      db.exec(m.sql);
      m.run?.(db);
    }
    if (from < migrations.length) db.pragma(`user_version = ${migrations.length}`);
    return { from, to: migrations.length };
  }).immediate();
}

/**
 * Takes the file's exclusive lock, sets the store's journal and cache, and migrates the
 * schema. Exported so the benchmark's SQLite-alone reference runs on a file set up the same.
 */
export function prepareEventsFile(db: Database.Database): { from: number; to: number } {
  // EXCLUSIVE before the first read: WAL then keeps its index in heap memory, not in a -shm file.
  db.pragma('locking_mode = EXCLUSIVE');
  db.exec('BEGIN EXCLUSIVE; COMMIT');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('journal_size_limit = 67108864');
  // Checkpoint every ~40 MB of WAL rather than 4 MB: an index page rewritten by many
  // commits is copied back to the file once (batches of 100 ran ~15% faster here).
  db.pragma('wal_autocheckpoint = 10000');
  db.pragma('cache_size = -32768');
  // Reads through a memory map skip a read() call and a copy per page: the global log
  // is read 10-20% faster here. Writes still go through the WAL. The price: an I/O error
  // on the mapped file ends the process (a signal) instead of failing one read, and
  // every acknowledged append is still on disk when it starts again.
  db.pragma('mmap_size = 2147483648');
  return migrate(db);
}

const COLUMNS = 'position, stream_id, revision, event_id, type, occurred_on, data, metadata, recorded_at, digest';
type EventRow = [number, string, number, string, string, string | null, string, string, string, string | null];

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    eventId: row[3],
    type: row[4],
    occurredOn: row[5],
    data: parseColumn(row, 6, 'data'),
    metadata: parseColumn(row, 7, 'metadata') as StoredEvent['metadata'],
    streamId: row[1],
    recordedAt: row[8],
    revision: row[2],
    position: row[0],
    ...(row[9] !== null ? { digest: row[9] } : {}),
  };
}

/** The JSON of a stored column; text that does not parse is damage to the file, named by stream and position, never echoed. */
function parseColumn(row: EventRow, column: 6 | 7, field: 'data' | 'metadata'): unknown {
  try {
    return JSON.parse(row[column]);
  } catch {
    throw new StoredDataCorruptError(row[1], row[0], field);
  }
}

/**
 * eventId, type, occurredOn, data JSON, metadata JSON, and the canonical JSON of data and
 * metadata for the chain digest: serialized before the commit, by the caller.
 */
type SerializedEvent = [string, string, string | null, string, string, string, string];

interface PendingAppend {
  readonly streamId: string;
  readonly expected: ExpectedRevision;
  readonly rows: readonly SerializedEvent[];
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
  result?: AppendResult;
  error?: EventStoreError;
}

/** The UNIQUE(stream_id, revision) constraint fired: the revision check let a conflict through. */
class RevisionConflict extends Error {}

interface LiveListener {
  wake(): void;
  end(): void;
}

/**
 * better-sqlite3's errors, told by their SQLITE_* code rather than by class: under jest a
 * native module's errors can come from another copy of the module or another realm, where
 * `instanceof` (even `instanceof Error`) fails.
 */
function isSqliteError(error: unknown): error is Error & { code: string } {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

/** SQLITE_FULL: the disk, or the file's page limit, has no room for the commit. */
export function isFull(error: unknown): boolean {
  return isSqliteError(error) && error.code === 'SQLITE_FULL';
}

function matches(expected: ExpectedRevision, actual: number | null): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === null;
    case 'stream_exists':
      return actual !== null;
    default:
      return actual === expected;
  }
}

function checkExpected(expected: ExpectedRevision): void {
  const valid =
    expected === 'any' || expected === 'no_stream' || expected === 'stream_exists' || (Number.isSafeInteger(expected) && expected >= 0);
  if (!valid) throw new RangeError(`invalid expected revision: ${String(expected)}`);
}

function serialize(event: EventToAppend): SerializedEvent {
  if (typeof event.eventId !== 'string' || event.eventId === '') throw new TypeError('eventId must be a non-empty string');
  if (typeof event.type !== 'string' || event.type === '') throw new TypeError('type must be a non-empty string');
  // JSON.stringify(undefined) is undefined: store it as null rather than fail the column.
  return [
    event.eventId,
    event.type,
    event.occurredOn ?? null,
    JSON.stringify(event.data) ?? 'null',
    JSON.stringify(event.metadata ?? {}),
    canonicalJson(event.data ?? null),
    canonicalJson(event.metadata ?? {}),
  ];
}

/**
 * Event store on one SQLite file (WAL, synchronous=FULL).
 *
 * Group commit: `append` serializes its events and queues them; the first append of a
 * turn of the event loop schedules a flush with setImmediate, so every append queued
 * until then (all requests read in one I/O phase) goes into ONE `BEGIN IMMEDIATE`
 * transaction and one fsync. Each append runs in its own savepoint: its expected-revision
 * check and inserts either all stay or all roll back, and a failing append fails alone.
 * Promises settle only after COMMIT returned; if the commit itself fails, every append of
 * the group rejects with StoreUnavailableError and none is stored. SQLite's UNIQUE
 * constraints are the last line of defence against conflicts.
 *
 * Locking: the connection runs in `locking_mode=EXCLUSIVE` and takes its exclusive lock
 * while opening, so a second process (or connection) gets SQLITE_BUSY, mapped to
 * StoreLockedError, before it reads or writes anything. The lock is the kernel's, so a
 * killed holder never leaves a stale lock behind.
 */
export class SqliteEventStore implements EventStore {
  private queue: PendingAppend[] = [];
  private flushTimer: NodeJS.Immediate | null = null;
  private closed = false;
  private readonly listeners = new Set<LiveListener>();
  private readonly counters = { transactions: 0, appends: 0, events: 0 };
  private readonly statements;
  private readonly commitGroup;
  private readonly appendOne;
  /** The latest recordedAt stamped: a clock that steps back never stamps an earlier one. */
  private lastRecordedAt: string;
  private readonly storeId: string;
  /** Set when a commit failed for lack of space; cleared by the next commit, or a probe that finds room. */
  private full = false;
  /** Damaged events met while reading, by position: logged once each, reported by `ping` until mended. */
  private readonly damaged = new Map<number, StoredDataCorruptError>();

  private constructor(
    private readonly db: Database.Database,
    private readonly clock: () => Date,
    private readonly pageSize: number,
    private readonly logger: EventStoreLogger | undefined,
  ) {
    this.statements = {
      lastRevision: db.prepare<[string], number | null>('SELECT max(revision) FROM events WHERE stream_id = ?').pluck(),
      insert: db.prepare<[string, number, string, string, string | null, string, string, string, string]>(
        'INSERT INTO events (stream_id, revision, event_id, type, occurred_on, data, metadata, recorded_at, digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      digestAt: db.prepare<[string, number], string | null>('SELECT digest FROM events WHERE stream_id = ? AND revision = ?').pluck(),
      streams: db.prepare<[string, number], [string, number, number, string, string, string | null]>(
        `SELECT s.stream_id, s.events, s.head, f.recorded_at, l.recorded_at, l.digest
           FROM (SELECT stream_id, count(*) AS events, max(revision) AS head FROM events WHERE stream_id > ? GROUP BY stream_id ORDER BY stream_id LIMIT ?) s
           JOIN events f ON f.stream_id = s.stream_id AND f.revision = (SELECT min(revision) FROM events WHERE stream_id = s.stream_id)
           JOIN events l ON l.stream_id = s.stream_id AND l.revision = s.head
          ORDER BY s.stream_id`,
      ).raw(),
      lastSeal: db.prepare<[], { sequence: number; digest: string }>('SELECT sequence, digest FROM seals ORDER BY sequence DESC LIMIT 1'),
      insertSeal: db.prepare<[number, number, number, string, string, string | null, string, string]>(
        'INSERT INTO seals (sequence, position, count, merkle_root, frontier, previous_digest, sealed_at, digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      readSeals: db.prepare<[number, number], [number, number, number, string, string, string | null, string, string]>(
        'SELECT sequence, position, count, merkle_root, frontier, previous_digest, sealed_at, digest FROM seals WHERE sequence >= ? ORDER BY sequence LIMIT ?',
      ).raw(),
      readStream: db
        .prepare<[string, number, number], EventRow>(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`)
        .raw(),
      readAll: db.prepare<[number, number], EventRow>(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`).raw(),
      head: db.prepare<[], number | null>('SELECT max(position) FROM events').pluck(),
      lastRecordedAt: db.prepare<[], string>('SELECT recorded_at FROM events ORDER BY position DESC LIMIT 1').pluck(),
      atPosition: db.prepare<[number], EventRow>(`SELECT ${COLUMNS} FROM events WHERE position = ?`).raw(),
      probeSpace: db.prepare<[Buffer]>('INSERT INTO space_probe (bytes) VALUES (?)'),
      clearProbe: db.prepare('DELETE FROM space_probe'),
    };
    this.lastRecordedAt = this.statements.lastRecordedAt.get() ?? '';
    this.storeId = db.prepare<[], string>(`SELECT value FROM store_meta WHERE key = 'store_id'`).pluck().get()!;
    // better-sqlite3 turns a transaction called inside another into a savepoint.
    this.appendOne = db.transaction((append: PendingAppend, recordedAt: string): AppendResult => {
      const actual = this.statements.lastRevision.get(append.streamId) ?? null;
      if (!matches(append.expected, actual)) throw new WrongExpectedRevisionError(append.streamId, append.expected, actual);
      let revision = actual ?? -1;
      let digest = actual === null ? '' : (this.statements.digestAt.get(append.streamId, actual) ?? '');
      const events: AppendResult['events'][number][] = [];
      for (const [eventId, type, occurredOn, data, metadata, canonicalData, canonicalMetadata] of append.rows) {
        revision += 1;
        digest = linkDigest(digest, { streamId: append.streamId, revision, eventId, type, occurredOn, canonicalData, canonicalMetadata, recordedAt });
        let position: number;
        try {
          position = Number(this.statements.insert.run(append.streamId, revision, eventId, type, occurredOn, data, metadata, recordedAt, digest).lastInsertRowid);
        } catch (error) {
          if (isSqliteError(error) && error.code === 'SQLITE_CONSTRAINT_UNIQUE') {
            if (error.message.includes('events.event_id')) throw new DuplicateEventIdError(eventId);
            if (error.message.includes('events.stream_id')) throw new RevisionConflict();
          }
          throw error;
        }
        events.push({ eventId, revision, position, recordedAt });
      }
      return { nextExpectedRevision: revision, events };
    });
    this.commitGroup = db.transaction((group: readonly PendingAppend[], recordedAt: string) => {
      for (const append of group) {
        try {
          append.result = this.appendOne(append, recordedAt);
        } catch (error) {
          if (error instanceof RevisionConflict) {
            const actual = this.statements.lastRevision.get(append.streamId) ?? null;
            append.error = new WrongExpectedRevisionError(append.streamId, append.expected, actual);
          } else if (error instanceof EventStoreError) {
            append.error = error;
          } else {
            throw error; // I/O, disk full...: the whole group fails.
          }
        }
      }
    });
  }

  static async open(options: SqliteEventStoreOptions): Promise<SqliteEventStore> {
    const pageSize = options.pageSize ?? 1000;
    if (!Number.isSafeInteger(pageSize) || pageSize < 1) throw new RangeError('pageSize must be a positive integer');
    const file = join(options.dataDir, EVENTS_FILE);
    // Clinical data: the dir 0700 and the files 0600 whatever the umask; a looser mode found is tightened and logged.
    const report = (fields: Record<string, unknown>, message: string) => (options.logger?.warn ?? options.logger?.error)?.call(options.logger, fields, message);
    ownerOnlyDir(options.dataDir, report);
    ownerOnlyDatabaseFile(file, report);
    const db = new Database(file, { timeout: options.lockTimeoutMs ?? 0 });
    try {
      const { from, to } = prepareEventsFile(db);
      options.logger?.info({ file, schemaFrom: from, schemaTo: to }, 'event store opened');
    } catch (error) {
      db.close();
      if (isSqliteError(error) && (error.code.startsWith('SQLITE_BUSY') || error.code.startsWith('SQLITE_LOCKED'))) {
        throw new StoreLockedError(`${file} is in use by another process or connection`, { cause: error });
      }
      if (error instanceof EventStoreError) throw error;
      throw new StoreUnavailableError(`cannot open ${file}: ${(error as Error).message}`, { cause: error });
    }
    return new SqliteEventStore(db, options.clock ?? (() => new Date()), pageSize, options.logger);
  }

  async append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    if (this.closed) throw new StoreUnavailableError('the event store is closed');
    if (typeof streamId !== 'string' || streamId === '') throw new TypeError('streamId must be a non-empty string');
    checkExpected(expected);
    const rows = events.map(serialize);
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ streamId, expected, rows, resolve, reject });
      this.flushTimer ??= setImmediate(() => this.flush());
    });
  }

  async readStream(streamId: string, options: { fromRevision?: number; maxCount?: number } = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const limit = options.maxCount ?? -1;
    return this.read(() => this.statements.readStream.all(streamId, options.fromRevision ?? 0, limit).map(toStoredEvent));
  }

  async readAll(options: { after?: number; maxCount: number }): Promise<ReadAllPage> {
    this.assertOpen();
    if (!Number.isSafeInteger(options.maxCount) || options.maxCount < 1) throw new RangeError('maxCount must be a positive integer');
    // One row more than asked tells whether the page reached the end, without another query.
    const rows = this.read(() => this.statements.readAll.all(options.after ?? 0, options.maxCount + 1));
    const isEnd = rows.length <= options.maxCount;
    const count = isEnd ? rows.length : options.maxCount;
    const events = new Array<StoredEvent>(count);
    this.read(() => {
      for (let i = 0; i < count; i++) events[i] = toStoredEvent(rows[i]);
    });
    return { events, isEnd };
  }

  async headPosition(): Promise<number | null> {
    this.assertOpen();
    return this.read(() => this.statements.head.get() ?? null);
  }

  async identity(): Promise<string> {
    this.assertOpen();
    return `sqlite:${this.storeId}`;
  }

  /**
   * Also rejects with StoreFullError while the disk is full: after a commit failed for lack
   * of space, each ping probes for room (commits a 64 KiB row and deletes it), so the store
   * takes appends again once space is freed, without a restart. And rejects while an event
   * read earlier is still damaged (StoredDataCorruptError): the log needs an operator.
   */
  async ping(): Promise<void> {
    this.assertOpen();
    this.read(() => this.statements.head.get());
    if (this.full) this.probeSpace();
    for (const [position, error] of this.damaged) {
      const row = this.read(() => this.statements.atPosition.get(position));
      try {
        if (row !== undefined) toStoredEvent(row);
        this.damaged.delete(position);
        this.logger?.info({ streamId: error.streamId, position }, 'a damaged stored event reads again (mended or removed)');
      } catch {
        throw new StoredDataCorruptError(error.streamId, error.position, error.field, this.damaged.size);
      }
    }
  }

  /**
   * Catches up in pages of `pageSize`, then follows the commits of this process.
   *
   * Every step reads the log strictly after the last position emitted, so catch-up and
   * live are the same loop: a commit only wakes it. Reads and commits run on this one
   * thread, so no commit can fall between "read to the end" and "wait for a wake-up".
   *
   * Backpressure: a page is emitted synchronously, and the next one is read on a later
   * turn of the event loop (setImmediate), once the consumer's `next` has returned for
   * every event of the page. The subscription never holds more than one page. A consumer
   * with asynchronous work must therefore do bounded synchronous work per event (buffer,
   * and flush its buffer synchronously past a size) or page with readAll at its own pace;
   * it must not start one unbounded async task per event. Completes when the store closes.
   */
  subscribeToAll(options: { after?: number } = {}): Observable<StoredEvent> {
    return new Observable<StoredEvent>((subscriber) => {
      let cursor = options.after ?? 0;
      let timer: NodeJS.Immediate | null = null;
      const schedule = () => {
        if (timer === null && !subscriber.closed) timer = setImmediate(step);
      };
      const step = () => {
        timer = null;
        if (subscriber.closed) return;
        if (this.closed) return subscriber.complete();
        let rows: EventRow[];
        try {
          rows = this.statements.readAll.all(cursor, this.pageSize + 1);
        } catch (error) {
          return subscriber.error(new StoreUnavailableError('the event store cannot be read', { cause: error }));
        }
        const count = Math.min(rows.length, this.pageSize);
        for (let i = 0; i < count; i++) {
          let event: StoredEvent;
          try {
            event = toStoredEvent(rows[i]);
          } catch (error) {
            // Never skipped: a subscriber resuming after it would fold a history with a hole.
            return subscriber.error(this.noteDamage(error));
          }
          cursor = event.position;
          subscriber.next(event);
          if (subscriber.closed) return;
        }
        if (rows.length > this.pageSize) schedule();
      };
      const listener: LiveListener = { wake: schedule, end: () => subscriber.complete() };
      this.listeners.add(listener);
      schedule();
      return () => {
        this.listeners.delete(listener);
        if (timer !== null) clearImmediate(timer);
        timer = null;
      };
    });
  }

  /**
   * Copies events in one transaction, in the order given, after committing the appends
   * already queued. Their recording times are kept; later appends are never stamped earlier.
   */
  async restore(events: readonly EventToRestore[]): Promise<void> {
    this.assertOpen();
    if (events.length === 0) return;
    if (this.flushTimer !== null) clearImmediate(this.flushTimer);
    this.flush();
    const rows = events.map((e) => [e, serialize(e)] as const);
    const heads = new Map<string, { revision: number; digest: string }>();
    let latest = this.lastRecordedAt;
    try {
      this.db.transaction(() => {
        for (const [event, [eventId, type, occurredOn, data, metadata, canonicalData, canonicalMetadata]] of rows) {
          let head = heads.get(event.streamId);
          if (!head) {
            const actual = this.statements.lastRevision.get(event.streamId) ?? null;
            head = { revision: actual ?? -1, digest: actual === null ? '' : (this.statements.digestAt.get(event.streamId, actual) ?? '') };
          }
          if (event.revision !== head.revision + 1) {
            throw new WrongExpectedRevisionError(event.streamId, head.revision < 0 ? 'no_stream' : head.revision, head.revision < 0 ? null : head.revision);
          }
          const digest = linkDigest(head.digest, { streamId: event.streamId, revision: event.revision, eventId, type, occurredOn, canonicalData, canonicalMetadata, recordedAt: event.recordedAt });
          try {
            this.statements.insert.run(event.streamId, event.revision, eventId, type, occurredOn, data, metadata, event.recordedAt, digest);
          } catch (error) {
            if (isSqliteError(error) && error.code === 'SQLITE_CONSTRAINT_UNIQUE' && error.message.includes('events.event_id')) throw new DuplicateEventIdError(eventId);
            throw error;
          }
          heads.set(event.streamId, { revision: event.revision, digest });
          if (event.recordedAt > latest) latest = event.recordedAt;
        }
      }).immediate();
    } catch (error) {
      if (error instanceof EventStoreError) throw error;
      throw new StoreUnavailableError(`restore failed: ${(error as Error).message}`, { cause: error });
    }
    this.lastRecordedAt = latest;
    for (const listener of this.listeners) listener.wake();
  }

  async listStreams(options: { after?: string; limit: number }): Promise<StreamSummary[]> {
    this.assertOpen();
    if (!Number.isSafeInteger(options.limit) || options.limit < 1) throw new RangeError('limit must be a positive integer');
    return this.read(() =>
      this.statements.streams.all(options.after ?? '', options.limit).map(([streamId, eventCount, headRevision, firstRecordedAt, lastRecordedAt, headDigest]) => ({
        streamId,
        eventCount,
        firstRecordedAt,
        lastRecordedAt,
        headRevision,
        headDigest,
      })),
    );
  }

  async appendSeal(seal: Seal): Promise<void> {
    this.assertOpen();
    try {
      this.db.transaction(() => {
        const last = this.statements.lastSeal.get() ?? null;
        const continues = last === null ? seal.sequence === 1 && seal.previousSealDigest === null : seal.sequence === last.sequence + 1 && seal.previousSealDigest === last.digest;
        if (!continues) throw new SealOutOfSequenceError(seal.sequence, last?.sequence ?? null);
        this.statements.insertSeal.run(seal.sequence, seal.position, seal.count, seal.merkleRoot, JSON.stringify(seal.frontier), seal.previousSealDigest, seal.sealedAt, seal.digest);
      }).immediate();
    } catch (error) {
      if (error instanceof EventStoreError) throw error;
      throw new StoreUnavailableError(`sealing failed: ${(error as Error).message}`, { cause: error });
    }
  }

  async readSeals(options: { fromSequence?: number; maxCount?: number } = {}): Promise<Seal[]> {
    this.assertOpen();
    return this.read(() =>
      this.statements.readSeals.all(options.fromSequence ?? 1, options.maxCount ?? -1).map(([sequence, position, count, merkleRoot, frontier, previousSealDigest, sealedAt, digest]) => ({
        sequence,
        position,
        count,
        merkleRoot,
        frontier: JSON.parse(frontier) as string[],
        previousSealDigest,
        sealedAt,
        digest,
      })),
    );
  }

  /** Commits the queued appends, then releases the file. Appends after this reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.flushTimer !== null) clearImmediate(this.flushTimer);
    this.flush();
    this.closed = true;
    for (const listener of [...this.listeners]) listener.end();
    this.listeners.clear();
    this.db.close();
    this.logger?.info({ ...this.counters }, 'event store closed');
  }

  /** Counters since open (how well group commit groups) and the subscriptions now open. */
  stats(): { readonly transactions: number; readonly appends: number; readonly events: number; readonly subscriptions: number } {
    return { ...this.counters, subscriptions: this.listeners.size };
  }

  private flush(): void {
    this.flushTimer = null;
    const group = this.queue;
    if (group.length === 0) return;
    this.queue = [];
    try {
      const now = this.clock().toISOString();
      // recordedBefore slices must be prefixes of each stream: keep recording time monotonic
      // in log order even when the system clock is stepped back (NTP, a migrated VM).
      const recordedAt = now > this.lastRecordedAt ? now : this.lastRecordedAt;
      this.commitGroup.immediate(group, recordedAt);
      this.lastRecordedAt = recordedAt;
    } catch (cause) {
      if (isFull(cause)) {
        // Logged when it starts, not per group: four writers retrying would fill the log instead.
        if (!this.full) this.logger?.error({ err: cause, appends: group.length }, 'the event store is full: appends are refused until space is freed');
        this.full = true;
        const error = new StoreFullError(`append failed: no space left for ${EVENTS_FILE}`, { cause });
        for (const append of group) append.reject(error);
        return;
      }
      this.logger?.error({ err: cause, appends: group.length }, 'group commit failed');
      const error = new StoreUnavailableError(`append failed: ${(cause as Error).message}`, { cause });
      for (const append of group) append.reject(error);
      return;
    }
    this.hasRoom();
    this.counters.transactions += 1;
    let committed = false;
    for (const append of group) {
      if (append.result) {
        committed = true;
        this.counters.appends += 1;
        this.counters.events += append.result.events.length;
        append.resolve(append.result);
      } else {
        append.reject(append.error);
      }
    }
    if (committed) for (const listener of this.listeners) listener.wake();
  }

  /** Commits a row of 64 KiB and deletes it: StoreFullError if there is still no room. */
  private probeSpace(): void {
    try {
      this.db.transaction(() => this.statements.probeSpace.run(Buffer.alloc(65536))).immediate();
      this.db.transaction(() => this.statements.clearProbe.run()).immediate();
    } catch (cause) {
      if (isFull(cause)) throw new StoreFullError(`no space left for ${EVENTS_FILE}`, { cause });
      throw new StoreUnavailableError(`the event store cannot be written: ${(cause as Error).message}`, { cause });
    }
    this.hasRoom();
  }

  private hasRoom(): void {
    if (!this.full) return;
    this.full = false;
    this.logger?.info({}, 'the event store has room again: appends are taken');
  }

  /**
   * SQLite's max_page_count for this connection, which bounds the file as a full disk would:
   * fault-injection tests fill the store with it, deterministically, and free space by raising it.
   * Returns the limit in force and the pages in use.
   */
  setMaxPageCount(pages: number): { maxPageCount: number; pageCount: number } {
    this.assertOpen();
    const maxPageCount = this.db.pragma(`max_page_count = ${Math.floor(pages)}`, { simple: true }) as number;
    return { maxPageCount, pageCount: this.db.pragma('page_count', { simple: true }) as number };
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError('the event store is closed');
  }

  private read<T>(query: () => T): T {
    try {
      return query();
    } catch (error) {
      if (error instanceof EventStoreError) throw this.noteDamage(error);
      throw new StoreUnavailableError(`the event store cannot be read: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Logs a damaged event the first time it is met (with its stream and position, not its content) and keeps it for `ping`. */
  private noteDamage(error: unknown): unknown {
    if (!(error instanceof StoredDataCorruptError)) return error;
    if (!this.damaged.has(error.position)) {
      this.damaged.set(error.position, error);
      this.logger?.error({ streamId: error.streamId, position: error.position, field: error.field }, 'stored event damaged: its JSON does not parse');
    }
    return error;
  }
}
