import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROLES } from '../config/app-config';
import { ApiKeyRegistry, KEYS_FILE, loadOrCreateKeyFile } from './api-keys';

describe('API keys', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'api-keys-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  describe('generated on first start', () => {
    it('makes one random key per role in a file only its owner can read, and reuses it on later starts', () => {
      const first = loadOrCreateKeyFile(join(dataDir, 'not-yet-made'));
      const second = loadOrCreateKeyFile(join(dataDir, 'not-yet-made'));

      expect(first.created).toBe(true);
      expect(first.entries.map((e) => e.role)).toEqual([...ROLES]);
      expect(first.entries.every((e) => /^[A-Za-z0-9_-]{32}$/.test(e.key))).toBe(true);
      expect(new Set(first.entries.map((e) => e.key)).size).toBe(ROLES.length);
      expect(statSync(first.path).mode & 0o777).toBe(0o600);
      expect(second).toEqual({ ...first, created: false });
    });

    it('makes different keys for different data dirs', () => {
      const a = loadOrCreateKeyFile(join(dataDir, 'a')).entries.map((e) => e.key);
      const b = loadOrCreateKeyFile(join(dataDir, 'b')).entries.map((e) => e.key);

      expect(a.filter((key) => b.includes(key))).toEqual([]);
    });

    it('takes the roles a hand-edited file names, and refuses a file with none or one that is not JSON, naming it', () => {
      // Hand-edited as an operator would: owner-only (a looser file is refused, see test/storage-permissions).
      writeFileSync(join(dataDir, KEYS_FILE), JSON.stringify({ reporter: 'synthetic-reporter-key-01', unknownRole: 'x' }), { mode: 0o600 });
      expect(loadOrCreateKeyFile(dataDir).entries).toEqual([{ role: 'reporter', key: 'synthetic-reporter-key-01' }]);

      writeFileSync(join(dataDir, KEYS_FILE), JSON.stringify({ reporter: 42 }));
      expect(() => loadOrCreateKeyFile(dataDir)).toThrow(`${join(dataDir, KEYS_FILE)} holds no API keys`);

      writeFileSync(join(dataDir, KEYS_FILE), '{ "reporter": ');
      expect(() => loadOrCreateKeyFile(dataDir)).toThrow(`${join(dataDir, KEYS_FILE)} is not the JSON of API keys`);
      expect(readFileSync(join(dataDir, KEYS_FILE), 'utf8')).toBe('{ "reporter": ');
    });
  });

  describe('registry', () => {
    const registry = new ApiKeyRegistry([
      { role: 'emitter', key: 'synthetic-emitter-key-0001' },
      { role: 'auditor', key: 'synthetic-auditor-key-0001' },
    ]);

    it('tells the caller of a known key by role and a key id that does not contain the key', () => {
      const caller = registry.identify('synthetic-emitter-key-0001');

      expect(caller).toEqual({ role: 'emitter', keyId: expect.stringMatching(/^emitter-[0-9a-f]{10}$/) });
      expect(caller!.keyId).not.toContain('synthetic');
      expect(registry.identify('synthetic-emitter-key-0001')).toEqual(caller);
      expect(registry.identify('synthetic-auditor-key-0001')!.keyId).not.toBe(caller!.keyId);
    });

    it('knows no other key, nor a known one with a character more or less', () => {
      for (const key of ['', 'synthetic-emitter-key-000', 'synthetic-emitter-key-00011', 'SYNTHETIC-EMITTER-KEY-0001']) {
        expect(registry.identify(key)).toBeNull();
      }
    });
  });
});
