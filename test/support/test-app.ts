import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { createApp } from '../../src/app.factory';
import { ApiKeyRegistry } from '../../src/common/auth/api-keys';
import { loadConfig, type Role } from '../../src/common/config/app-config';
import type { Clock } from '../../src/common/clock/clock';

/** Synthetic keys for tests only. */
export const TEST_KEYS: Record<Role, string> = {
  emitter: 'test-emitter-key-0000000000',
  auditor: 'test-auditor-key-0000000000',
  reporter: 'test-reporter-key-000000000',
  admin: 'test-admin-key-000000000000',
};

/** A clock the test moves by hand: no test depends on today's date. */
export class ManualClock implements Clock {
  constructor(private instant: Date) {}
  now(): Date {
    return new Date(this.instant);
  }
  set(iso: string): void {
    this.instant = new Date(iso);
  }
  advance(ms: number): void {
    this.instant = new Date(this.instant.getTime() + ms);
  }
}

export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly clock: ManualClock;
  readonly dataDir: string;
  request(options: {
    method: 'GET' | 'POST' | 'PUT' | 'DELETE';
    url: string;
    role?: Role | null;
    body?: unknown;
    headers?: Record<string, string>;
    rawBody?: string;
  }): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** The whole service on its embedded SQLite store in a temporary folder, driven without a socket. */
export async function startTestApp(options: { now?: string; env?: NodeJS.ProcessEnv; dataDir?: string; logger?: Logger } = {}): Promise<TestApp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'timeline-e2e-'));
  const clock = new ManualClock(new Date(options.now ?? '2026-06-01T12:00:00.000Z'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...options.env });
  const keys = new ApiKeyRegistry(Object.entries(TEST_KEYS).map(([role, key]) => ({ role: role as Role, key })));
  const app = await createApp({ config, clock, keys, logger: options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const fastify = app.getHttpAdapter().getInstance();
  return {
    app,
    clock,
    dataDir,
    async request({ method, url, role = 'admin', body, headers = {}, rawBody }) {
      const response = await fastify.inject({
        method,
        url,
        headers: {
          ...(role ? { authorization: `Bearer ${TEST_KEYS[role]}` } : {}),
          ...(body !== undefined || rawBody !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        payload: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
      const text = response.body;
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // Not JSON (Swagger UI HTML, CSV exports): the text as it is.
      }
      return { status: response.statusCode, body: parsed, headers: response.headers };
    },
    async close() {
      await app.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
