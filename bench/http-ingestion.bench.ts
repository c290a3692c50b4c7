import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latencySummary, machine, quick, round } from './support';

const KEY = 'bench-admin-key-00000000000';
const PORT = 3901;
const BASE = `http://127.0.0.1:${PORT}`;

/** Synthetic enrolment data for load only. */
function enrolment(): object {
  return {
    sex: 'FEMALE', ageYears: 40,
    diagnosis: { type: 'AML', status: 'RELAPSED', riskGroup: 'ADVERSE' },
    consentSignedOn: '2026-01-02',
    eligibility: {
      altXUln: 1, astXUln: 1, bilirubinXUln: 1, creatinineXUln: 1, lvefPercent: 60,
      exclusions: {
        uncontrolledInfectionOrHemorrhage: false, significantCardiovascularDisease: false,
        uncontrolledAutoimmuneDisease: false, severeInfusionReactionHistory: false, pregnantOrNursing: false,
        psychiatricOrCognitiveImpairment: false, majorSurgeryWithin4Weeks: false, otherLifeThreateningIllness: false,
      },
    },
    bridgingDonor: { donorId: 'SYN-D1', ageYears: 35, relation: 'SIBLING', hlaMatch: '5/10' },
    transplantDonor: { donorId: 'SYN-D2', ageYears: 30, type: 'HAPLO', hlaMatch: '5/10' },
  };
}

async function startService(dataDir: string): Promise<ChildProcess> {
  // BENCH_NODE_ARGS passes flags to the service's node, e.g. --cpu-prof to see where the time goes.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '-r', '@swc-node/register', 'src/main.ts'], {
    env: { ...process.env, PORT: String(PORT), HOST: '127.0.0.1', DATA_DIR: dataDir, API_KEYS: `admin:${KEY}`, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(`${BASE}/health`).then((r) => r.ok, () => false);
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('service did not start');
}

async function post(url: string, body: unknown): Promise<number> {
  const response = await fetch(BASE + url, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  if (response.status !== 201) throw new Error(`append answered ${response.status}`);
  return response.status;
}

/** `clients` callers, each appending `perClient` requests one after another; latency per request. */
async function load(clients: number, perClient: number, makeRequest: (client: number, i: number) => [string, unknown]) {
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = 0; i < perClient; i++) {
        const [url, body] = makeRequest(client, i);
        const t0 = performance.now();
        await post(url, body);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { requests: clients * perClient, seconds: round(seconds), requestsPerSecond: Math.round((clients * perClient) / seconds), latencyMs: latencySummary(latencies) };
}

export async function benchHttpIngestion() {
  const dataDir = mkdtempSync(join(tmpdir(), 'timeline-bench-http-'));
  const child = await startService(dataDir);
  try {
    const clients = 10;
    const perClient = quick ? 100 : 1500;
    const run = randomUUID().slice(0, 8);
    const event = (type: string, occurredOn: string, data: object) => ({ eventId: randomUUID(), type, occurredOn, data });
    // Warm-up, not measured.
    await load(clients, 20, (c, i) => [`/v1/patients/W${run}-${c}-${i}/events`, event('PatientEnrolled', '2026-01-05', enrolment())]);
    const enrolments = await load(clients, perClient, (c, i) => [`/v1/patients/E${run}-${c}-${i}/events`, event('PatientEnrolled', '2026-01-05', enrolment())]);
    // One follow-up per enrolled patient: streams of clinical size, not one stream of thousands.
    const followUps = await load(clients, perClient, (c, i) => [`/v1/patients/E${run}-${c}-${i}/events`, event('FollowUpRecorded', '2026-02-01', {})]);
    const batches = await load(clients, quick ? 5 : 30, (c, i) => [
      `/v1/patients/B${run}-${c}-${i}/events`,
      [event('PatientEnrolled', '2026-01-05', enrolment()), ...Array.from({ length: 99 }, () => event('FollowUpRecorded', '2026-02-01', {}))],
    ]);
    return {
      machine: machine(),
      singleEventAppends: { newStreams: enrolments, sameStreamFollowUps: followUps },
      batchesOf100: { ...batches, eventsPerSecond: batches.requestsPerSecond * 100 },
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchHttpIngestion().then((r) => console.log(JSON.stringify(r, null, 2)), (e) => {
    console.error(e);
    process.exit(1);
  });
}
