/**
 * The `timeline` CLI as a user runs it: the BUILT binary (`npm run build` once, here in
 * beforeAll), as a child process, over a store of SYNTHETIC patients.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sealer } from '../src/audit/sealer';
import { chemoStarted, corrected, enrolled, stemCellsInfused } from '../src/domain/testing/journey.fixtures';
import { SqliteEventStore } from '../src/event-store/sqlite/sqlite-event-store';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'dist', 'cli', 'timeline.js');
const run = (...args: string[]) => spawnSync(BIN, args, { encoding: 'utf8' });

describe('timeline CLI (built binary)', () => {
  let dir: string;
  beforeAll(async () => {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
    dir = mkdtempSync(join(tmpdir(), 'timeline-cli-'));
    let t = Date.parse('2026-06-01T12:00:00.000Z');
    const clock = () => new Date((t += 1000));
    const store = await SqliteEventStore.open({ dataDir: join(dir, 'live'), clock });
    const meta = { source: 'SYNTHETIC', actor: { keyId: 'emitter-1', role: 'emitter' }, schemaVersion: 1 };
    const d0 = stemCellsInfused('2026-03-01');
    await store.append('patient-SYN-C1', [enrolled('2026-01-05'), chemoStarted('2026-01-08'), d0].map((e) => ({ ...e, metadata: meta })), 'no_stream');
    await store.append('patient-SYN-C1', [{ ...corrected(d0, { occurredOn: '2026-03-02' }), occurredOn: null, metadata: meta }], 2);
    const sealer = new Sealer(store, clock);
    await sealer.start({ follow: false });
    await sealer.sealNow();
    writeFileSync(join(dir, 'kept.json'), JSON.stringify({ seals: await store.readSeals() }));
    await store.close();
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has --help on every command, and exit code 2 for bad usage', () => {
    for (const command of ['export', 'import', 'verify', 'replay', 'rebuild']) {
      const help = run(command, '--help');
      expect({ command, status: help.status }).toEqual({ command, status: 0 });
      expect(help.stdout).toContain(`timeline ${command}`);
    }
    expect(run('frobnicate').status).toBe(2);
    expect(run('export').status).toBe(2);
  });

  it('exports, verifies against the kept seals, imports into an empty store and replays offline with both bitemporal options', () => {
    const archive = join(dir, 'archive.ndjson');
    expect(run('export', '--data-dir', join(dir, 'live'), '--out', archive).status).toBe(0);

    const verified = run('verify', '--archive', archive, '--seals', join(dir, 'kept.json'), '--json');
    expect(verified.status).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, events: 4, keptSeals: [{ sequence: 1, ok: true }] });

    const imported = run('import', '--archive', archive, '--data-dir', join(dir, 'copy'), '--json');
    expect(imported.status).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ imported: 4, streams: 1 });
    expect(run('verify', '--data-dir', join(dir, 'copy'), '--seals', join(dir, 'kept.json')).status).toBe(0);

    const replay = (...extra: string[]) => run('replay', 'SYN-C1', '--archive', archive, '--json', ...extra).stdout.trim().split('\n').map((l) => JSON.parse(l));
    const now = replay('--as-of', '2026-05-01');
    expect(now.map((l) => l.record?.day0 ?? null)).toEqual([null, null, '2026-03-01', '2026-03-02']);
    expect(replay('--as-of', '2026-01-06').map((l) => l.record?.phase ?? null)).toEqual(['ENROLLED', 'ENROLLED', 'ENROLLED', 'ENROLLED']);
    expect(replay('--as-of', '2026-05-01', '--recorded-before', now[3].event.recordedAt).map((l) => l.record.day0)).toEqual([null, null, '2026-03-01']);
  });

  it('refuses an altered archive with exit code 1, naming the line', () => {
    const archive = join(dir, 'altered.ndjson');
    expect(run('export', '--data-dir', join(dir, 'live'), '--out', archive).status).toBe(0);
    writeFileSync(archive, readFileSync(archive, 'utf8').replace('2026-01-08', '2026-01-09'));

    const refused = run('import', '--archive', archive, '--data-dir', join(dir, 'refused'));

    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/archive refused: line 3: .*altered/);
  });
});
