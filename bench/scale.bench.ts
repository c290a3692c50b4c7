/**
 * `npm run bench -- scale` (not part of a plain run: it fills a million patients, about
 * 19 million events and 10 GB of disk, and takes the better part of an hour here): the
 * survival report over 1,000,000 SYNTHETIC patients against the same report over 100,000
 * in the same run, and the service's memory per patient at each size.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../src/event-store/sqlite/sqlite-event-store';
import { AS_OF, fill, rebuild, timed } from './cohort.bench';
import { getJson, startService, stopService } from './service';
import { machine, quick, round } from './support';

/** The service's own memory: anonymous pages (heap, native allocations), not the mapped event file. */
function memoryOf(child: ChildProcess, patients: number) {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  const anon = kib('RssAnon') * 1024;
  return { rssMiB: round((kib('VmRSS') * 1024) / 2 ** 20, 1), rssAnonMiB: round(anon / 2 ** 20, 1), bytesPerPatient: Math.round(anon / patients) };
}

async function measure(dataDir: string, patients: number) {
  const child = await startService(dataDir);
  try {
    // The first report after a start reads every row into memory: warm, then measure.
    await getJson(`/v1/reports/survival?endpoint=OS&asOf=${AS_OF}`);
    const survivalOS = await timed(`/v1/reports/survival?endpoint=OS&asOf=${AS_OF}`, 5);
    return { patients, survivalOS, memory: memoryOf(child, patients) };
  } finally {
    await stopService(child);
  }
}

export async function benchScale() {
  const small = quick ? 2_000 : 100_000;
  const large = quick ? 20_000 : 1_000_000;
  const dataDir = mkdtempSync(join(tmpdir(), 'timeline-bench-scale-'));
  try {
    let store = await SqliteEventStore.open({ dataDir });
    const first = await fill(store, small, 0);
    const firstRebuild = await rebuild(store, dataDir, first.filled.events);
    await store.close();
    const atSmall = await measure(dataDir, small);

    store = await SqliteEventStore.open({ dataDir });
    const rest = await fill(store, large - small, 0, small);
    const events = first.filled.events + rest.filled.events;
    // The read model catches up from its checkpoint on the events added.
    const catchUp = await rebuild(store, dataDir, rest.filled.events);
    await store.close();
    const atLarge = await measure(dataDir, large);
    return {
      machine: machine(),
      fill: { small: first.filled, rest: rest.filled },
      readModel: { rebuildSmall: firstRebuild, catchUpToLarge: catchUp, events },
      small: atSmall,
      large: atLarge,
      survivalRatio: round(atLarge.survivalOS.latencyMs.p50 / atSmall.survivalOS.latencyMs.p50),
      // What each patient past the first `small` adds: the process's own baseline left out.
      marginalBytesPerPatient: Math.round(((atLarge.memory.rssAnonMiB - atSmall.memory.rssAnonMiB) * 2 ** 20) / (large - small)),
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchScale().then((r) => console.log(JSON.stringify(r, null, 2)), (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
