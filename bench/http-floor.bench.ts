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

/**
 * The reference for appends: a bare Fastify server that inserts each body into
 * better-sqlite3 and answers once its group is durable. Requests read in one turn of the
 * event loop share one transaction and one fsync (WAL, synchronous=FULL), as the store's
 * group commit does; no validation, no rules, no read of the stream, no projection.
 */
const BARE_FASTIFY_SQLITE = `
  const Database = require('better-sqlite3');
  const db = new Database(process.env.DB_FILE);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE IF NOT EXISTS events (position INTEGER PRIMARY KEY AUTOINCREMENT, stream_id TEXT NOT NULL, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO events (stream_id, body) VALUES (?, ?)');
  const commit = db.transaction((group) => { for (const g of group) g.position = Number(insert.run(g.streamId, g.body).lastInsertRowid); });
  let queue = [];
  let timer = null;
  const flush = () => {
    timer = null;
    const group = queue;
    queue = [];
    try { commit(group); } catch (error) { for (const g of group) g.reject(error); return; }
    for (const g of group) g.resolve(g.position);
  };
  const app = require('fastify')();
  app.post('/v1/patients/:subjectId/events', async (request, reply) => {
    const position = await new Promise((resolve, reject) => {
      queue.push({ streamId: request.params.subjectId, body: JSON.stringify(request.body), resolve, reject });
      timer ??= setImmediate(flush);
    });
    reply.code(201);
    return { subjectId: request.params.subjectId, events: [{ eventId: request.body.eventId, position }] };
  });
  app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' }).then(() => process.send('listening'));
`;

async function startBareFastify(script = BARE_FASTIFY, env: Record<string, string> = {}): Promise<{ base: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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

/** Follow-ups to existing patients, 10 clients, each its own round of the patients: the same bodies for the service and the reference. */
const FOLLOW_UP_PATIENTS = 200;
function followUpBody(): object {
  return { eventId: randomUUID(), type: 'FollowUpRecorded', occurredOn: '2026-02-01', data: {} };
}
function followUpPath(client: number, i: number): string {
  return `/v1/patients/SYN-F${String((client * 20 + i) % FOLLOW_UP_PATIENTS).padStart(4, '0')}/events`;
}

async function followUps(base: string, perClient: number) {
  return measure(perClient, (() => {
    // Each call of the measured function takes the next (client, i) pair round-robin over the clients.
    let n = 0;
    return () => {
      const k = n++;
      return send('POST', `${base}${followUpPath(k % 10, Math.floor(k / 10))}`, followUpBody());
    };
  })(), 201);
}

/** The reference for HTTP appends, then the service on the same bodies and clients. */
async function appendsAgainstReference(perClient: number) {
  const dir = mkdtempSync(join(tmpdir(), 'timeline-bench-floor-sqlite-'));
  const bare = await startBareFastify(BARE_FASTIFY_SQLITE, { DB_FILE: join(dir, 'events.sqlite') });
  let reference;
  try {
    reference = await followUps(bare.base, perClient);
  } finally {
    await bare.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'timeline-bench-floor-service-'));
  const child = await startService(dataDir);
  try {
    // The 200 patients exist before the clock starts.
    for (let p = 0; p < FOLLOW_UP_PATIENTS; p += 10) {
      await Promise.all(Array.from({ length: 10 }, async (_, k) => {
        const answer = await send('POST', `/v1/patients/SYN-F${String(p + k).padStart(4, '0')}/events`, { eventId: randomUUID(), type: 'PatientEnrolled', occurredOn: '2026-01-05', data: enrolment() });
        if (answer.status !== 201) throw new Error(`enrolment answered ${answer.status}: ${answer.body.slice(0, 300)}`);
      }));
    }
    const service = await followUps('', perClient);
    return { reference, service, ratio: round(service.requestsPerSecond / reference.requestsPerSecond) };
  } finally {
    await stopService(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function benchHttpFloor() {
  const perClient = quick ? 200 : 2000;
  const followUpAppends = await appendsAgainstReference(quick ? 100 : 1000);
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
      followUpAppends,
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
