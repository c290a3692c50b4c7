import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENTS_FILE, SqliteEventStore } from '../src/event-store/sqlite/sqlite-event-store';
import { benchSqliteCeiling } from './sqlite-ceiling.bench';
import { readWholeLog, syntheticEvent } from './store-workload';
import { latencySummary, machine, quick as quickFlag, round } from './support';

export interface EventStoreBenchOptions {
  /** Smaller sizes for a smoke run (also `--quick` or BENCH_QUICK=1). */
  readonly quick?: boolean;
  /** Where the temporary data dir goes; a real disk, so fsync costs what it costs. */
  readonly baseDir?: string;
}

function rate(count: number, ms: number): number {
  return Math.round(count / (ms / 1000));
}

/** `callers` concurrent loops, each appending `perCaller` events one append at a time to its own stream. */
async function singleAppends(store: SqliteEventStore, prefix: string, callers: number, perCaller: number) {
  const latencies: number[] = [];
  const before = store.stats();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async (_, c) => {
      const streamId = `${prefix}-${c}`;
      for (let i = 0; i < perCaller; i++) {
        const t0 = performance.now();
        await store.append(streamId, [syntheticEvent(i)], i === 0 ? 'no_stream' : i - 1);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const ms = performance.now() - started;
  const after = store.stats();
  return {
    callers,
    appends: callers * perCaller,
    seconds: round(ms / 1000),
    appendsPerSecond: rate(callers * perCaller, ms),
    appendsPerCommit: round((after.appends - before.appends) / (after.transactions - before.transactions)),
    latencyMs: latencySummary(latencies),
  };
}

/** `inFlight` concurrent loops appending batches of `size` events to their own streams. */
async function batchAppends(store: SqliteEventStore, prefix: string, inFlight: number, batches: number, size: number) {
  const latencies: number[] = [];
  const perLoop = Math.ceil(batches / inFlight);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async (_, c) => {
      for (let i = 0; i < perLoop; i++) {
        const events = Array.from({ length: size }, (_, k) => syntheticEvent(k));
        const t0 = performance.now();
        await store.append(`${prefix}-${c}-${i}`, events, 'no_stream');
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const ms = performance.now() - started;
  const events = inFlight * perLoop * size;
  return { inFlight, batchSize: size, events, seconds: round(ms / 1000), eventsPerSecond: rate(events, ms), latencyMs: latencySummary(latencies) };
}

async function fillTo(store: SqliteEventStore, target: number) {
  const started = performance.now();
  let have = (await readWholeLog(store, 5000)).events;
  const added = target - have;
  let stream = 0;
  while (have < target) {
    const wave = Array.from({ length: 8 }, () => {
      const size = Math.min(1000, target - have);
      have += size;
      return size > 0 ? store.append(`fill-${stream++}`, Array.from({ length: size }, (_, k) => syntheticEvent(k)), 'no_stream') : null;
    });
    await Promise.all(wave);
  }
  const ms = performance.now() - started;
  return { events: added, seconds: round(ms / 1000), eventsPerSecond: rate(added, ms) };
}

async function catchUpSubscription(store: SqliteEventStore) {
  const head = (await store.headPosition()) ?? 0;
  const rssBefore = process.memoryUsage.rss();
  let peakRss = rssBefore;
  let count = 0;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const subscription = store.subscribeToAll().subscribe({
      next: (e) => {
        count++;
        if (count % 1000 === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
        if (e.position >= head) {
          subscription.unsubscribe();
          resolve();
        }
      },
      error: reject,
    });
  });
  const ms = performance.now() - started;
  const mib = (bytes: number) => round(bytes / 2 ** 20, 1);
  return { events: count, seconds: round(ms / 1000), eventsPerSecond: rate(count, ms), rssBeforeMiB: mib(rssBefore), peakRssMiB: mib(peakRss) };
}

export async function benchEventStore(options: EventStoreBenchOptions = {}) {
  const quick = options.quick ?? quickFlag;
  // First, on the same disk and minutes apart: what SQLite alone does here now (the machine drifts).
  const sqliteAlone = await benchSqliteCeiling(options);
  const dataDir = mkdtempSync(join(options.baseDir ?? tmpdir(), 'timeline-bench-store-'));
  const store = await SqliteEventStore.open({ dataDir });
  try {
    await singleAppends(store, 'warmup', 4, 50);
    const sequential = await singleAppends(store, 'seq', 1, quick ? 300 : 3000);
    const concurrent10 = await singleAppends(store, 'c10', 10, quick ? 100 : 1000);
    const concurrent50 = await singleAppends(store, 'c50', 50, quick ? 20 : 400);
    const batchesSequential = await batchAppends(store, 'b1', 1, quick ? 50 : 500, 100);
    const batchesConcurrent = await batchAppends(store, 'b8', 8, quick ? 80 : 1000, 100);
    const logSize = quick ? 50_000 : 1_000_000;
    const fill = await fillTo(store, logSize);
    const read = { pageSize: 1000, ...(await readWholeLog(store, 1000)) };
    const subscription = await catchUpSubscription(store);
    return {
      machine: machine(),
      durability: 'WAL, synchronous=FULL: every append is fsynced before it resolves',
      dataFileMiB: round(statSync(join(dataDir, EVENTS_FILE)).size / 2 ** 20, 1),
      singleEventAppends: { sequential, concurrent10, concurrent50 },
      batchesOf100: { sequential: batchesSequential, concurrent: batchesConcurrent },
      fill,
      readAll: read,
      subscriptionCatchUp: subscription,
      sqliteAlone,
    };
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchEventStore().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
