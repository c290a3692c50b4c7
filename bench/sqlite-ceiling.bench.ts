import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENTS_FILE, prepareEventsFile, SqliteEventStore } from '../src/event-store/sqlite/sqlite-event-store';
import { readWholeLog, syntheticEvent } from './store-workload';
import { quick as quickFlag } from './support';

/**
 * What better-sqlite3 alone does on this machine, now: the same table, pragmas and rows as
 * the store, with none of the store's work (no revision check, savepoint, group commit,
 * serialization or event objects). The store's targets were set against such ceilings,
 * and this machine's speed drifts by 2x within hours, so the store is best read beside a
 * ceiling measured in the same run (`npm run bench -- store` runs this first).
 */
export interface CeilingBenchOptions {
  readonly quick?: boolean;
  readonly baseDir?: string;
}

type Row = [string, number, string, string, string, string, string, string];

const INSERT = 'INSERT INTO events (stream_id, revision, event_id, type, occurred_on, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';

/** A file set up as the store sets up its own (lock, journal, cache, schema). */
function openLikeTheStore(file: string): Database.Database {
  const db = new Database(file);
  prepareEventsFile(db);
  return db;
}

/** `count` rows of one stream, serialized as the store would store them; made before any timing starts. */
function rows(streamId: string, count: number): Row[] {
  const recordedAt = new Date(Date.UTC(2026, 10, 26)).toISOString();
  return Array.from({ length: count }, (_, revision) => {
    const e = syntheticEvent(revision);
    return [streamId, revision, e.eventId, e.type, e.occurredOn as string, JSON.stringify(e.data), JSON.stringify(e.metadata), recordedAt];
  });
}

/** The whole log through SqliteEventStore.readAll, decoded into events, in pages of 1,000. */
async function readAllThroughTheStore(dataDir: string): Promise<number> {
  const store = await SqliteEventStore.open({ dataDir });
  try {
    return (await readWholeLog(store, 1000)).eventsPerSecond;
  } finally {
    await store.close();
  }
}

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

function rate(count: number, ms: number): number {
  return Math.round(count / (ms / 1000));
}

export async function benchSqliteCeiling(options: CeilingBenchOptions = {}) {
  const quick = options.quick ?? quickFlag;
  const dataDir = mkdtempSync(join(options.baseDir ?? tmpdir(), 'timeline-bench-ceiling-'));
  // The store's own file name, so the store can open it for the alternating read below.
  let db = openLikeTheStore(join(dataDir, EVENTS_FILE));
  try {
    const insert = db.prepare(INSERT);

    // One row per transaction, each commit fsynced: what one writer without group commit can reach.
    const singles = rows('single', quick ? 300 : 2000);
    let started = performance.now();
    for (const row of singles) db.transaction(() => insert.run(row)).immediate();
    const oneRowTransactions = { rows: singles.length, rowsPerSecond: rate(singles.length, performance.now() - started) };

    // Transactions of 1,000 rows, 10 streams of 100: the store's batches of 100, grouped as its group commit groups them.
    const transactions = quick ? 20 : 100;
    const groups = Array.from({ length: transactions }, (_, t) => Array.from({ length: 10 }, (_, s) => rows(`batch-${t}-${s}`, 100)).flat());
    const writeGroup = db.transaction((group: Row[]) => {
      for (const row of group) insert.run(row);
    });
    started = performance.now();
    for (const group of groups) writeGroup.immediate(group);
    const thousandRowTransactions = { rows: transactions * 1000, rowsPerSecond: rate(transactions * 1000, performance.now() - started) };
    groups.length = 0;

    // The rest of the log the read-backs go over, untimed, in the same shape.
    const logSize = quick ? 50_000 : 1_000_000;
    let have = singles.length + transactions * 1000;
    for (let t = 0; have < logSize; t++) {
      const group = Array.from({ length: 10 }, (_, s) => rows(`fill-${t}-${s}`, 100)).flat().slice(0, logSize - have);
      writeGroup.immediate(group);
      have += group.length;
    }

    // Reading back in pages of 1,000 by position, as the store's readAll does.
    const WHOLE_ROWS = 'SELECT position, stream_id, revision, event_id, type, occurred_on, data, metadata, recorded_at FROM events WHERE position > ? ORDER BY position LIMIT 1000';
    const readBack = (sql: string, decode: (row: unknown[]) => unknown) => {
      const page = db.prepare<[number], unknown[]>(sql).raw();
      const t0 = performance.now();
      let after = 0;
      let count = 0;
      for (;;) {
        const got = page.all(after);
        for (const row of got) decode(row);
        count += got.length;
        if (got.length < 1000) break;
        after = got[got.length - 1][0] as number;
      }
      return { rows: count, rowsPerSecond: rate(count, performance.now() - t0) };
    };
    const dataOnly = readBack('SELECT position, data FROM events WHERE position > ? ORDER BY position LIMIT 1000', (row) => JSON.parse(row[1] as string));
    const rowsUndecoded = readBack(WHOLE_ROWS, (row) => row);

    // Whole rows with both JSON columns parsed, alternating with the store's own readAll on
    // this same file: the two differ only by the store's work, not by the minute or the
    // process's heap (this machine's speed drifts within minutes). Medians of three turns each.
    const sqliteTurns: number[] = [];
    const storeTurns: number[] = [];
    for (let turn = 0; turn < 3; turn++) {
      sqliteTurns.push(readBack(WHOLE_ROWS, (row) => [JSON.parse(row[6] as string), JSON.parse(row[7] as string)]).rowsPerSecond);
      db.close();
      storeTurns.push(await readAllThroughTheStore(dataDir));
      db = openLikeTheStore(join(dataDir, EVENTS_FILE));
    }

    return {
      durability: 'WAL, synchronous=FULL, the store\'s table and pragmas',
      oneRowTransactions,
      thousandRowTransactions,
      readBack: {
        dataColumnWithJsonParse: dataOnly,
        wholeRowsNotDecoded: rowsUndecoded,
        wholeRowsBothJsonColumnsParsed: { rows: have, rowsPerSecond: median(sqliteTurns), turns: sqliteTurns },
        theStoresReadAllOnTheSameFile: { events: have, eventsPerSecond: median(storeTurns), turns: storeTurns },
      },
      note: 'no event objects, revision checks, savepoints or group commit: an upper bound for the store, not a target',
    };
  } finally {
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchSqliteCeiling().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
