import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateEventBatch } from '../src/api/events/event-validation';
import { enrolment } from './http-ingestion.bench';
import { freePort, load, send, startService, stopService } from './service';
import { latencySummary, machine, quick, round } from './support';

/**
 * What HTTP costs on this machine before the service's own work, with the client of the
 * other HTTP benchmarks: a bare Fastify server answering at once, then the service's
 * cheapest routes. It bounds what any route of the service can reach here, and so what
 * its append and read targets can ask.
 */
const BARE_FASTIFY = `
  const app = require('fastify')();
  app.get('/ping', async () => ({ status: 'ok' }));
  app.post('/echo', async (request, reply) => { reply.code(201); return { eventId: request.body.eventId }; });
  app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' }).then(() => process.send('listening'));
`;

async function startBareFastify(): Promise<{ base: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', BARE_FASTIFY], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`bare Fastify exited with ${code}`)));
  });
  return {
    base: `http://127.0.0.1:${port}`,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function measure(perClient: number, call: () => Promise<{ status: number }>, expected: number) {
  const check = async () => {
    const { status } = await call();
    if (status !== expected) throw new Error(`answered ${status}, expected ${expected}`);
  };
  await load(10, Math.ceil(perClient / 5), check);
  const { latenciesMs, seconds, ...rest } = await load(10, perClient, check);
  return { ...rest, seconds: round(seconds), latencyMs: latencySummary(latenciesMs) };
}

/** The edge validation of one body (class-transformer and class-validator), alone, in this process. */
function validationMicroseconds(makeBody: () => unknown, count: number): number {
  const bodies = Array.from({ length: count }, () => JSON.parse(JSON.stringify(makeBody())) as unknown);
  for (const body of bodies.slice(0, count / 5)) validateEventBatch(body);
  const started = performance.now();
  for (const body of bodies) {
    if (!validateEventBatch(body).ok) throw new Error('the synthetic body is invalid');
  }
  return round(((performance.now() - started) * 1000) / count, 1);
}

export async function benchHttpFloor() {
  const perClient = quick ? 200 : 2000;
  const body = { eventId: randomUUID(), type: 'FollowUpRecorded', occurredOn: '2026-02-01', data: {} };
  const bare = await startBareFastify();
  let bareFastify;
  try {
    bareFastify = {
      get: await measure(perClient, () => send('GET', `${bare.base}/ping`), 200),
      postSmallJson: await measure(perClient, () => send('POST', `${bare.base}/echo`, body), 201),
    };
  } finally {
    await bare.stop();
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'timeline-bench-floor-'));
  const child = await startService(dataDir);
  try {
    const validations = quick ? 1000 : 10_000;
    return {
      machine: machine(),
      clients: 10,
      bareFastify,
      validationUs: {
        enrolment: validationMicroseconds(() => ({ eventId: randomUUID(), type: 'PatientEnrolled', occurredOn: '2026-01-05', data: enrolment() }), validations),
        followUp: validationMicroseconds(() => ({ ...body, eventId: randomUUID() }), validations),
      },
      service: {
        health: await measure(perClient, () => send('GET', '/health'), 200),
        // Authenticated, one (empty) stream read, a problem+json answer: less than any append does.
        unknownPatient: await measure(perClient, () => send('GET', '/v1/patients/SYN-NOBODY'), 404),
      },
    };
  } finally {
    await stopService(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchHttpFloor().then((r) => console.log(JSON.stringify(r, null, 2)), (e) => {
    console.error(e);
    process.exit(1);
  });
}
