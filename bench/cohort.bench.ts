/**
 * Projection and reporting figures over a SYNTHETIC registry-sized cohort:
 * projecting one patient, a full rebuild of the read model, GET /v1/patients/{id}
 * under 10 concurrent clients, and the cohort reports.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { effectiveHistory, type HistoryEntry } from '../src/domain/history/effective-history';
import type { EventType } from '../src/domain/events/clinical-event';
import { project } from '../src/domain/projection/project';
import { patientStreamId } from '../src/event-store/patient-stream';
import { SqliteEventStore } from '../src/event-store/sqlite/sqlite-event-store';
import { PatientProjector } from '../src/projections/patient.projector';
import { openReadModelDatabase } from '../src/projections/read-model.database';
import { getJson, load, startService, stopService } from './service';
import { readWholeLog } from './store-workload';
import { latencySummary, machine, quick, round } from './support';
import { prng, syntheticPatient, syntheticSubjectId, type SyntheticPatient } from './synthetic-cohort';

export const AS_OF = '2026-11-25';
const mib = (bytes: number) => round(bytes / 2 ** 20, 1);

/**
 * Appends the cohort in waves of 1,000 patients, each patient's events in three appends
 * interleaved with the others'. Patients are made wave by wave and dropped once stored,
 * so the benchmark's own heap stays small and its garbage collector does not stall the
 * clients measured later. Returns the first `keep` patients for projecting in-process.
 */
export async function fill(store: SqliteEventStore, count: number, keep: number, first = 0) {
  const random = prng(20261125 + first);
  const kept: SyntheticPatient[] = [];
  const started = performance.now();
  let events = 0;
  for (let from = first; from < first + count; from += 1000) {
    const wave = Array.from({ length: Math.min(1000, first + count - from) }, (_, k) => syntheticPatient(from + k, random));
    for (const p of wave) if (kept.length < keep) kept.push(p);
    for (let part = 0; part < 3; part++) {
      await Promise.all(
        wave.map((p) => {
          const size = Math.ceil(p.events.length / 3);
          const chunk = p.events.slice(part * size, (part + 1) * size);
          if (chunk.length === 0) return null;
          events += chunk.length;
          return store.append(patientStreamId(p.subjectId), chunk, part === 0 ? 'no_stream' : part * size - 1);
        }),
      );
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { filled: { patients: count, events, seconds: round(seconds), eventsPerSecond: Math.round(events / seconds) }, kept };
}

function projectOne(patients: readonly SyntheticPatient[]) {
  const samples: number[] = [];
  for (const p of patients) {
    const entries: HistoryEntry[] = p.events.map((e, revision) => ({ eventId: e.eventId, type: e.type as EventType, occurredOn: e.occurredOn, data: e.data, revision }));
    const t0 = performance.now();
    project(p.subjectId, effectiveHistory(entries), AS_OF, { revision: entries.length - 1 });
    samples.push(performance.now() - t0);
  }
  return { patients: patients.length, latencyMs: latencySummary(samples) };
}

export async function rebuild(store: SqliteEventStore, dataDir: string, events: number) {
  const db = openReadModelDatabase(dataDir);
  const projector = new PatientProjector(store, db);
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 200);
  const started = performance.now();
  await projector.onApplicationBootstrap();
  await projector.catchUp();
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  projector.stop();
  db.close();
  return { events, seconds: round(seconds), eventsPerSecond: Math.round(events / seconds), peakRssMiB: mib(peakRss) };
}

export async function timed(path: string, runs: number) {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await getJson(path);
    samples.push(performance.now() - t0);
  }
  return { runs, latencyMs: latencySummary(samples) };
}

export async function benchCohort() {
  const count = quick ? 5_000 : 100_000;
  const dataDir = mkdtempSync(join(tmpdir(), 'timeline-bench-cohort-'));
  try {
    const store = await SqliteEventStore.open({ dataDir });
    const { filled, kept } = await fill(store, count, 5000);
    const one = projectOne(kept);
    kept.length = 0;
    // The whole log decoded as the projector receives it: what a rebuild cannot beat.
    const readAlone = await readWholeLog(store, 1000);
    // The service's own read-model file: the service below starts caught up.
    const rebuilt = await rebuild(store, dataDir, filled.events);
    await store.close();

    const child = await startService(dataDir);
    try {
      const ids = Array.from({ length: count }, (_, n) => syntheticSubjectId(n));
      // Warm-up, not measured: the JIT, and the first touch of the mapped file's pages.
      await load(10, quick ? 20 : 200, (c, i) => getJson(`/v1/patients/${ids[(c * 7919 + i * 104729) % ids.length]}?asOf=${AS_OF}`));
      // The cheapest route under the same ten clients: how much of a read's p99 is queueing on this machine.
      const health = await load(10, quick ? 100 : 500, () => getJson('/health'));
      const reads = await load(10, quick ? 100 : 500, (c, i) => getJson(`/v1/patients/${ids[(c * 15485863 + i * 32452843) % ids.length]}?asOf=${AS_OF}`));
      // The same reads again: each answered from the view cache after one read of the stream's tail.
      const repeated = await load(10, quick ? 100 : 500, (c, i) => getJson(`/v1/patients/${ids[(c * 15485863 + i * 32452843) % ids.length]}?asOf=${AS_OF}`));
      const reports = {
        survivalOS: await timed(`/v1/reports/survival?endpoint=OS&asOf=${AS_OF}`, 5),
        survivalGRFS: await timed(`/v1/reports/survival?endpoint=GRFS&asOf=${AS_OF}`, 5),
        cumulativeIncidence: await timed(`/v1/reports/cumulative-incidence?asOf=${AS_OF}`, 5),
        adverseEvents: await timed(`/v1/reports/adverse-events?asOf=${AS_OF}`, 5),
        patientListFirstPage: await timed(`/v1/patients?asOf=${AS_OF}&limit=50`, 5),
      };
      return {
        machine: machine(),
        fill: filled,
        projectOnePatient: one,
        readLogAlone: readAlone,
        rebuild: rebuilt,
        health10Clients: { requests: health.requests, requestsPerSecond: health.requestsPerSecond, latencyMs: latencySummary(health.latenciesMs) },
        patientRead10Clients: { requests: reads.requests, requestsPerSecond: reads.requestsPerSecond, latencyMs: latencySummary(reads.latenciesMs) },
        repeatedPatientRead10Clients: { requests: repeated.requests, requestsPerSecond: repeated.requestsPerSecond, latencyMs: latencySummary(repeated.latenciesMs) },
        reports,
      };
    } finally {
      await stopService(child);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchCohort().then((r) => console.log(JSON.stringify(r, null, 2)), (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
