/**
 * Clinical data is owner-only: the data dir 0700, the event store's and the read model's
 * files 0600 (their -wal and -shm files included) under the usual umask 022; looser modes
 * found at start are tightened and logged; an API key file others may read is refused.
 * (Before: 0644 files in a 0755 dir, and a 0644 key file used without a word.)
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEYS_FILE, loadOrCreateKeyFile } from '../src/common/auth/api-keys';
import { EVENTS_FILE } from '../src/event-store/sqlite/sqlite-event-store';
import { READ_MODEL_FILE } from '../src/projections/read-model.database';
import { SEEDED_NOW, seededDataDir } from './support/seeded-data-dir';
import { capturingLogger, startTestApp } from './support/test-app';

const modeOf = (path: string) => `0${(statSync(path).mode & 0o777).toString(8)}`;
const modes = (dir: string) => Object.fromEntries(readdirSync(dir).map((name) => [name, modeOf(join(dir, name))]));

let root: string;
let umask: number;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'timeline-modes-'));
  chmodSync(root, 0o755);
  umask = process.umask(0o022);
});
afterEach(() => {
  process.umask(umask);
  rmSync(root, { recursive: true, force: true });
});

it('given umask 022 and no data dir, creates the dir 0700 and every database file, -wal and -shm included, 0600', async () => {
  const dataDir = join(root, 'data');

  await seededDataDir(dataDir);
  const t = await startTestApp({ now: SEEDED_NOW, dataDir });
  try {
    const files = modes(dataDir);
    expect(modeOf(dataDir)).toBe('0700');
    expect(Object.keys(files)).toEqual(expect.arrayContaining([EVENTS_FILE, READ_MODEL_FILE, `${READ_MODEL_FILE}-wal`, `${READ_MODEL_FILE}-shm`]));
    expect(Object.entries(files).filter(([, mode]) => mode !== '0600')).toEqual([]);
  } finally {
    await t.close();
  }
});

it('given a 0755 data dir with 0644 files, makes them owner-only at start and logs each one', async () => {
  const dataDir = await seededDataDir(join(root, 'data'));
  chmodSync(dataDir, 0o755);
  for (const name of readdirSync(dataDir)) chmodSync(join(dataDir, name), 0o644);
  const logs = capturingLogger();

  const t = await startTestApp({ now: SEEDED_NOW, dataDir, logger: logs.logger });
  try {
    expect(modeOf(dataDir)).toBe('0700');
    expect(Object.entries(modes(dataDir)).filter(([, mode]) => mode !== '0600')).toEqual([]);
    const tightened = logs.lines().filter((line) => line.madeMode !== undefined);
    expect(tightened.map((line) => [line.path, line.mode, line.level])).toEqual(
      expect.arrayContaining([
        [dataDir, '0755', 40],
        [join(dataDir, EVENTS_FILE), '0644', 40],
        [join(dataDir, READ_MODEL_FILE), '0644', 40],
      ]),
    );
  } finally {
    await t.close();
  }
});

describe('the API key file', () => {
  it('is created owner-only', () => {
    const { path, created } = loadOrCreateKeyFile(join(root, 'data'));
    expect(created).toBe(true);
    expect([modeOf(path), modeOf(join(root, 'data'))]).toEqual(['0600', '0700']);
  });

  it.each([
    ['0644', 0o644],
    ['0640', 0o640],
    ['0604', 0o604],
  ])('is refused, naming the file and the fix, when its mode is %s', (_label, mode) => {
    const path = join(root, KEYS_FILE);
    writeFileSync(path, JSON.stringify({ admin: 'synthetic-admin-key-000000000' }));
    chmodSync(path, mode);

    expect(() => loadOrCreateKeyFile(root)).toThrow(`${path} has mode 0${mode.toString(8)}: other users of this machine may read the API keys`);
  });

  it('is used when owner-only', () => {
    const path = join(root, KEYS_FILE);
    writeFileSync(path, JSON.stringify({ admin: 'synthetic-admin-key-000000000' }), { mode: 0o600 });

    expect(loadOrCreateKeyFile(root).entries).toEqual([{ role: 'admin', key: 'synthetic-admin-key-000000000' }]);
  });
});
