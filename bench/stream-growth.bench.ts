import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDays } from '../src/domain/calendar/clinical-date';
import { enrolment } from './http-ingestion.bench';
import { send, startService, stopService } from './service';
import { latencySummary, machine, quick, round } from './support';

/**
 * What an append costs as a stream grows: ten clients append single follow-ups, once to
 * ten patients whose streams grow to `perClient` events each, and once the same number of
 * appends spread over 2,000 patients (about ten events each), on one service. Each client
 * keeps to its own patients, so this measures the length of the streams, not writers
 * racing on one stream. SYNTHETIC data.
 */
const CLIENTS = 10;
const SPREAD_PATIENTS = 2000;

async function post(path: string, body: unknown): Promise<number> {
  const answer = await send('POST', path, body);
  if (answer.status !== 201) throw new Error(`append answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  return (JSON.parse(answer.body) as { events: { revision: number }[] }).events[0].revision;
}

const followUp = (i: number) => ({ eventId: randomUUID(), type: 'FollowUpRecorded', occurredOn: addDays('2026-01-06', i % 300), data: {} });

async function enrol(subjectIds: readonly string[]): Promise<void> {
  for (let i = 0; i < subjectIds.length; i += CLIENTS) {
    await Promise.all(subjectIds.slice(i, i + CLIENTS).map((id) => post(`/v1/patients/${id}/events`, { eventId: randomUUID(), type: 'PatientEnrolled', occurredOn: '2026-01-05', data: enrolment() })));
  }
}

/** Each client appends `perClient` follow-ups, its i-th to `patientOf(client, i)`; latencies by the revision each append reached. */
async function appendRun(perClient: number, patientOf: (client: number, i: number) => string) {
  const byRevision: { revision: number; ms: number }[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let i = 0; i < perClient; i++) {
        const t0 = performance.now();
        const revision = await post(`/v1/patients/${patientOf(client, i)}/events`, followUp(i));
        byRevision.push({ revision, ms: performance.now() - t0 });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { appends: CLIENTS * perClient, seconds: round(seconds), appendsPerSecond: Math.round((CLIENTS * perClient) / seconds), byRevision };
}

export async function benchStreamGrowth() {
  const perClient = quick ? 300 : 2000;
  const window = quick ? 50 : 100;
  const dataDir = mkdtempSync(join(tmpdir(), 'timeline-bench-growth-'));
  const child = await startService(dataDir);
  try {
    const run = randomUUID().slice(0, 6);
    const spreadIds = Array.from({ length: SPREAD_PATIENTS }, (_, n) => `SYN-G${run}-S${n}`);
    const longIds = Array.from({ length: CLIENTS }, (_, n) => `SYN-G${run}-L${n}`);
    await enrol([...spreadIds, ...longIds]);
    // Warm-up, not measured: the JIT on the append path.
    await appendRun(20, (c, i) => spreadIds[(c + CLIENTS * i) % SPREAD_PATIENTS]);
    const perSpreadClient = SPREAD_PATIENTS / CLIENTS;
    const spread = await appendRun(perClient, (c, i) => spreadIds[c + CLIENTS * (i % perSpreadClient)]);
    const long = await appendRun(perClient, (c) => longIds[c]);
    const early = long.byRevision.filter((s) => s.revision <= window).map((s) => s.ms);
    const late = long.byRevision.filter((s) => s.revision > perClient - window).map((s) => s.ms);
    const { byRevision: _s, ...spreadFigures } = spread;
    const { byRevision: _l, ...longFigures } = long;
    const p50Early = latencySummary(early).p50;
    const p50Late = latencySummary(late).p50;
    return {
      machine: machine(),
      clients: CLIENTS,
      spreadOver2000Patients: { ...spreadFigures, latencyMs: latencySummary(spread.byRevision.map((s) => s.ms)) },
      tenGrowingStreams: { ...longFigures, latencyMs: latencySummary(long.byRevision.map((s) => s.ms)), finalRevision: perClient },
      throughputRatio: round(long.appendsPerSecond / spread.appendsPerSecond),
      p50: { [`revisions1To${window}`]: p50Early, [`revisions${perClient - window + 1}To${perClient}`]: p50Late, lateOverEarly: round(p50Late / p50Early) },
    };
  } finally {
    await stopService(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchStreamGrowth().then((r) => console.log(JSON.stringify(r, null, 2)), (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
