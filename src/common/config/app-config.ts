import { resolve } from 'node:path';

export const APP_CONFIG = Symbol('APP_CONFIG');

export const ROLES = ['emitter', 'auditor', 'reporter', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKeyEntry {
  readonly role: Role;
  readonly key: string;
}

export interface AppConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly eventStore: 'sqlite' | 'eventstoredb';
  readonly eventStoreConnectionString: string | null;
  /** Null when API_KEYS is unset: keys are generated on first start. */
  readonly apiKeys: readonly ApiKeyEntry[] | null;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly bodyLimitBytes: number;
  /** Longest a client may take to send a whole request, headers and body; then 408 and the connection is closed. */
  readonly requestTimeoutMs: number;
  /** Longest a client may take to send a request's headers (at most requestTimeoutMs). */
  readonly headersTimeoutMs: number;
  /** How long a list or report asked with `consistency=wait` waits for the read model to catch up before 503. */
  readonly readModelWaitMs: number;
  /** How long an idle keep-alive connection is held open after an answer. */
  readonly keepAliveTimeoutMs: number;
  /** REQUIRE_ENTERED_BY=true: every event must name who it was entered for (metadata.enteredBy). */
  readonly requireEnteredBy: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Reads and validates the whole configuration at once, so a bad deployment fails at
 * start with every problem listed, never later on the first request that needs a value.
 */
export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const problems: string[] = [];

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };

  const port = integer('PORT', 3000, 0, 65535);
  const bodyLimitBytes = integer('BODY_LIMIT_BYTES', 1_048_576, 1024, 64 * 1_048_576);
  const requestTimeoutMs = integer('REQUEST_TIMEOUT_MS', 30_000, 50, 600_000);
  const headersTimeoutMs = integer('HEADERS_TIMEOUT_MS', 10_000, 50, 600_000);
  const keepAliveTimeoutMs = integer('KEEP_ALIVE_TIMEOUT_MS', 5_000, 50, 600_000);
  const readModelWaitMs = integer('READ_MODEL_WAIT_MS', 5_000, 0, 60_000);
  if (headersTimeoutMs > requestTimeoutMs) {
    problems.push(`HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not exceed REQUEST_TIMEOUT_MS (${requestTimeoutMs}): the headers are part of the request`);
  }

  const eventStore = env.EVENT_STORE ?? 'sqlite';
  if (eventStore !== 'sqlite' && eventStore !== 'eventstoredb') {
    problems.push(`EVENT_STORE must be "sqlite" or "eventstoredb", got "${eventStore}"`);
  }
  const connectionString = env.EVENTSTORE_CONNECTION_STRING || null;
  if (eventStore === 'eventstoredb') {
    if (!connectionString) problems.push('EVENTSTORE_CONNECTION_STRING is required when EVENT_STORE=eventstoredb');
    else if (!/^esdb(\+discover)?:\/\/./.test(connectionString)) {
      problems.push('EVENTSTORE_CONNECTION_STRING must start with esdb:// or esdb+discover://');
    }
  }

  const logLevel = (env.LOG_LEVEL ?? 'info') as AppConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);

  const apiKeys = env.API_KEYS ? parseApiKeys(env.API_KEYS, problems) : null;

  const requireEnteredBy = env.REQUIRE_ENTERED_BY ?? 'false';
  if (requireEnteredBy !== 'true' && requireEnteredBy !== 'false') problems.push(`REQUIRE_ENTERED_BY must be "true" or "false", got "${requireEnteredBy}"`);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host: env.HOST || '0.0.0.0',
    dataDir: resolve(env.DATA_DIR || './data'),
    eventStore: eventStore as AppConfig['eventStore'],
    eventStoreConnectionString: connectionString,
    apiKeys,
    logLevel,
    bodyLimitBytes,
    requestTimeoutMs,
    headersTimeoutMs,
    keepAliveTimeoutMs,
    readModelWaitMs,
    requireEnteredBy: requireEnteredBy === 'true',
  };
}

function parseApiKeys(raw: string, problems: string[]): ApiKeyEntry[] {
  const entries: ApiKeyEntry[] = [];
  const seen = new Set<string>();
  raw.split(',').forEach((pair, i) => {
    const trimmed = pair.trim();
    const colon = trimmed.indexOf(':');
    const role = trimmed.slice(0, colon) as Role;
    const key = trimmed.slice(colon + 1);
    // The key itself never appears in a message: only its place in the list.
    if (colon <= 0 || !ROLES.includes(role)) {
      problems.push(`API_KEYS entry ${i + 1} must be role:key with role one of ${ROLES.join(', ')}`);
    } else if (key.length < 16) {
      problems.push(`API_KEYS entry ${i + 1} (${role}): a key must have at least 16 characters`);
    } else if (seen.has(key)) {
      problems.push(`API_KEYS entry ${i + 1} (${role}): the same key is listed twice`);
    } else {
      seen.add(key);
      entries.push({ role, key });
    }
  });
  return entries;
}
