import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';

export const BENCH_KEY = 'bench-admin-key-00000000000';
/** The running service's address; set by startService. */
export let BASE = '';

/**
 * The flags `npm start` gives node. A larger young generation: a request allocates tens of
 * kilobytes of short-lived objects (decoded events, the record, its JSON), and fewer,
 * emptier scavenges cost less (10-20% more reads per second measured here).
 */
const SERVICE_NODE_ARGS = ['--max-semi-space-size=64'];

/** A port nobody listens on now, so two benchmarks on one machine never talk to each other's service. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * The service as users run it, in a child process on its embedded store. Polls /health
 * until it answers (a benchmark may wait; tests never do). BENCH_NODE_ARGS passes flags
 * to the service's node, e.g. --cpu-prof to see where the time goes; BENCH_LOG_LEVEL=info
 * makes it log each request with its time inside the service (queueing before it excluded).
 */
export async function startService(dataDir: string): Promise<ChildProcess> {
  const port = await freePort();
  BASE = `http://127.0.0.1:${port}`;
  const nodeArgs = [...SERVICE_NODE_ARGS, ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const child = spawn(process.execPath, [...nodeArgs, '-r', '@swc-node/register', 'src/main.ts'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, API_KEYS: `admin:${BENCH_KEY}`, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    const ok = await fetch(`${BASE}/health`).then((r) => r.ok, () => false);
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('service did not start');
}

export async function stopService(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** `clients` callers, each sending `perClient` requests one after another; latency per request. */
export async function load(
  clients: number,
  perClient: number,
  send: (client: number, i: number) => Promise<unknown>,
): Promise<{ requests: number; seconds: number; requestsPerSecond: number; latenciesMs: number[] }> {
  const latenciesMs: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = 0; i < perClient; i++) {
        const t0 = performance.now();
        await send(client, i);
        latenciesMs.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { requests: clients * perClient, seconds, requestsPerSecond: Math.round((clients * perClient) / seconds), latenciesMs };
}

/**
 * Keep-alive connections, one per concurrent client at most. node:http rather than fetch:
 * the benchmark's own client shares the machine's two cores with the service, and fetch
 * spends several times more CPU per request.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** `path` is relative to the service started last, unless it is a whole URL. */
export function send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { authorization: `Bearer ${BENCH_KEY}` };
  if (payload !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = request(path.startsWith('http://') ? path : BASE + path, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export async function getJson(path: string): Promise<unknown> {
  const response = await send('GET', path);
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${response.body.slice(0, 300)}`);
  return JSON.parse(response.body);
}
