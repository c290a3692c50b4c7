import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, send, startService, stopService } from './service';
import { latencySummary, machine, quick, round } from './support';

/** Synthetic enrolment data for load only. */
export function enrolment(): object {
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

async function post(url: string, body: unknown): Promise<number> {
  const response = await send('POST', url, body);
  if (response.status !== 201) throw new Error(`append answered ${response.status}: ${response.body.slice(0, 300)}`);
  return response.status;
}

/** `clients` callers, each appending `perClient` requests one after another; latency per request. */
async function appends(clients: number, perClient: number, makeRequest: (client: number, i: number) => [string, unknown]) {
  const { latenciesMs, seconds, ...rest } = await load(clients, perClient, (c, i) => post(...makeRequest(c, i)));
  return { ...rest, seconds: round(seconds), latencyMs: latencySummary(latenciesMs) };
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
    await appends(clients, 20, (c, i) => [`/v1/patients/W${run}-${c}-${i}/events`, event('PatientEnrolled', '2026-01-05', enrolment())]);
    const enrolments = await appends(clients, perClient, (c, i) => [`/v1/patients/E${run}-${c}-${i}/events`, event('PatientEnrolled', '2026-01-05', enrolment())]);
    // One follow-up per enrolled patient: streams of clinical size, not one stream of thousands.
    const followUps = await appends(clients, perClient, (c, i) => [`/v1/patients/E${run}-${c}-${i}/events`, event('FollowUpRecorded', '2026-02-01', {})]);
    const batches = await appends(clients, quick ? 5 : 30, (c, i) => [
      `/v1/patients/B${run}-${c}-${i}/events`,
      [event('PatientEnrolled', '2026-01-05', enrolment()), ...Array.from({ length: 99 }, () => event('FollowUpRecorded', '2026-02-01', {}))],
    ]);
    return {
      machine: machine(),
      singleEventAppends: { newStreams: enrolments, sameStreamFollowUps: followUps },
      batchesOf100: { ...batches, eventsPerSecond: batches.requestsPerSecond * 100 },
    };
  } finally {
    await stopService(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchHttpIngestion().then((r) => console.log(JSON.stringify(r, null, 2)), (e) => {
    console.error(e);
    process.exit(1);
  });
}
