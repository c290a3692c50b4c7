/**
 * The pictures' routes over a trial-sized cohort (1,000 SYNTHETIC patients; --quick: 200),
 * each beside the JSON route it draws from, measured in the same run: what drawing adds,
 * and what a swimmer plot as recorded at a past instant costs (every patient projected
 * from its stream, since the read model holds only what is known now).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { patientStreamId } from '../src/event-store/patient-stream';
import { SqliteEventStore } from '../src/event-store/sqlite/sqlite-event-store';
import { send, startService, stopService } from './service';
import { latencySummary, machine, quick } from './support';
import { prng, syntheticPatient } from './synthetic-cohort';

const AS_OF = '2026-11-25';

async function timed(path: string, runs: number) {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const response = await send('GET', path);
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${response.body.slice(0, 300)}`);
    samples.push(performance.now() - t0);
  }
  return { runs, latencyMs: latencySummary(samples) };
}

export async function benchPictures() {
  const count = quick ? 200 : 1000;
  const dataDir = mkdtempSync(join(tmpdir(), 'timeline-bench-pictures-'));
  try {
    const store = await SqliteEventStore.open({ dataDir });
    const random = prng(20261204);
    for (let n = 0; n < count; n++) {
      const p = syntheticPatient(n, random);
      await store.append(patientStreamId(p.subjectId), p.events, 'no_stream');
    }
    await store.close();
    const child = await startService(dataDir);
    try {
      // Everything recorded so far, read the slow way: each patient from its stream.
      const recordedBefore = new Date(Date.now() + 86_400_000).toISOString();
      const runs = quick ? 3 : 7;
      // Warm-up, not measured.
      await timed(`/v1/reports/swimmer?asOf=${AS_OF}`, 2);
      return {
        machine: machine(),
        patients: count,
        listPage50: await timed(`/v1/patients?asOf=${AS_OF}&limit=50`, runs),
        swimmerPage50: await timed(`/v1/reports/swimmer?asOf=${AS_OF}&limit=50`, runs),
        swimmerSvg500: await timed(`/v1/reports/swimmer.svg?asOf=${AS_OF}&limit=500`, runs),
        swimmerRecordedBeforeWholeCohort: await timed(`/v1/reports/swimmer?asOf=${AS_OF}&limit=50&recordedBefore=${recordedBefore}`, runs),
        survivalJson: await timed(`/v1/reports/survival?endpoint=OS&asOf=${AS_OF}`, runs),
        survivalSvg: await timed(`/v1/reports/survival.svg?endpoint=OS&asOf=${AS_OF}`, runs),
      };
    } finally {
      await stopService(child);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
