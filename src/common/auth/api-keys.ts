import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { looserThanOwnerOnly } from '../files/owner-only';
import { ROLES, type ApiKeyEntry, type Role } from '../config/app-config';
import { EXIT_CODES, StartupError } from '../startup/startup-error';

export const API_KEY_REGISTRY = Symbol('API_KEY_REGISTRY');

/** Who called: stored in every event as its actor. The key itself is never kept. */
export interface Caller {
  readonly keyId: string;
  readonly role: Role;
}

export const KEYS_FILE = 'api-keys.json';

/** Keys are looked up by their SHA-256, so the lookup does not leak timing about the key. */
export class ApiKeyRegistry {
  private readonly byHash = new Map<string, Caller>();

  constructor(entries: readonly ApiKeyEntry[]) {
    for (const { role, key } of entries) {
      const hash = sha256(key);
      this.byHash.set(hash, { role, keyId: `${role}-${hash.slice(0, 10)}` });
    }
  }

  identify(key: string): Caller | null {
    return this.byHash.get(sha256(key)) ?? null;
  }
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * With no API_KEYS, the first start makes one random key per role and keeps them in a
 * file only its owner can read; later starts reuse that file. Returns the file's path
 * (to log it) and the keys.
 */
export function loadOrCreateKeyFile(dataDir: string): { path: string; entries: ApiKeyEntry[]; created: boolean } {
  const path = join(dataDir, KEYS_FILE);
  if (existsSync(path)) {
    // Refused rather than tightened: other users may already have read the keys, so they need replacing, which only the operator can do.
    const loose = looserThanOwnerOnly(path);
    if (loose !== null) {
      throw new StartupError(
        `${path} has mode ${loose}: other users of this machine may read the API keys. Replace the keys (delete the file to have new ones made), or if no one else could have read them, run chmod 600 on it; the service uses it only when it is owner-only`,
        { exitCode: EXIT_CODES.CONFIGURATION, files: [path] },
      );
    }
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new StartupError(`${path} is not the JSON of API keys (${(error as Error).message}); mend it or delete it to have new ones made`, {
        exitCode: EXIT_CODES.CONFIGURATION,
        files: [path],
        cause: error,
      });
    }
    const entries = ROLES.flatMap((role) => (typeof parsed[role] === 'string' ? [{ role, key: parsed[role] as string }] : []));
    if (entries.length === 0) {
      throw new StartupError(`${path} holds no API keys; delete it to have new ones made`, { exitCode: EXIT_CODES.CONFIGURATION, files: [path] });
    }
    return { path, entries, created: false };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const keys = Object.fromEntries(ROLES.map((role) => [role, randomBytes(24).toString('base64url')])) as Record<Role, string>;
  writeFileSync(path, JSON.stringify(keys, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return { path, entries: ROLES.map((role) => ({ role, key: keys[role] })), created: true };
}
