/**
 * The auditor's tools over the SYNTHETIC 100,000-patient cohort, each beside the same log
 * read and decoded alone in the same run: verifying the whole log (digest chains, order,
 * seals), exporting it to an NDJSON archive, and importing that archive into an empty
 * store. The functions are those `timeline verify|export|import` run, called in process.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportArchive, importArchive } from '../src/audit/archive';
import { verifyStore } from '../src/audit/log-verifier';
import { Sealer } from '../src/audit/sealer';
import { SqliteEventStore } from '../src/event-store/sqlite/sqlite-event-store';
import { fill } from './cohort.bench';
import { readWholeLog } from './store-workload';
import { machine, quick, round } from './support';

/** The page size verify and export read the log in: the reference reads in the same pages. */
const PAGE = 2000;

const rate = (events: number, ms: number) => ({ events, seconds: round(ms / 1000), eventsPerSecond: Math.round(events / (ms / 1000)) });

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function verify(store: SqliteEventStore) {
  const t0 = performance.now();
  const report = await verifyStore(store);
  const ms = performance.now() - t0;
  // A benchmark of a verification that failed would measure the wrong path.
  if (!report.ok || report.seals.checked !== report.seals.stored) throw new Error(`the cohort does not verify: ${JSON.stringify(report).slice(0, 500)}`);
  return { ...rate(report.events, ms), sealsChecked: report.seals.checked, merkleRoot: report.head.merkleRoot };
}

/** As `timeline export --out FILE`: the archive written, the file closed. */
async function exportTo(store: SqliteEventStore, file: string) {
  const t0 = performance.now();
  const out = createWriteStream(file);
  const result = await exportArchive(store, out, { storeKind: 'sqlite', serviceVersion: 'bench', exportedAt: new Date().toISOString() });
  await new Promise<void>((resolve, reject) => out.end(() => resolve()).once('error', reject));
  const ms = performance.now() - t0;
  return { ...rate(result.events, ms), seals: result.seals, megabytes: round(statSync(file).size / 2 ** 20, 1), merkleRoot: result.merkleRoot };
}

/** As `timeline import`: the archive checked whole, restored into an empty store, then sealed. */
async function importFrom(file: string, root: string) {
  const dataDir = mkdtempSync(join(root, 'import-'));
  try {
    const t0 = performance.now();
    const store = await SqliteEventStore.open({ dataDir });
    const summary = await importArchive(store, () => createReadStream(file));
    const restoredMs = performance.now() - t0;
    const sealer = new Sealer(store, () => new Date());
    await sealer.start({ follow: false });
    await sealer.sealNow();
    await store.close();
    const ms = performance.now() - t0;
    return { ...rate(summary.events, ms), checkedAndRestoredSeconds: round(restoredMs / 1000), sealingSeconds: round((ms - restoredMs) / 1000), merkleRoot: summary.merkleRoot };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function benchAudit() {
  const count = quick ? 5_000 : 100_000;
  const turns = 3;
  const root = mkdtempSync(join(tmpdir(), 'timeline-bench-audit-'));
  try {
    const dataDir = join(root, 'store');
    const store = await SqliteEventStore.open({ dataDir });
    const { filled } = await fill(store, count, 0);
    // Sealed as the service seals a log it finds: from the last seal to the head, a seal every 1,000 events.
    const s0 = performance.now();
    const sealer = new Sealer(store, () => new Date());
    await sealer.start({ follow: false });
    await sealer.sealNow();
    const sealing = rate(filled.events, performance.now() - s0);
    // The archive on the same disk as the store file.
    const archive = join(root, 'log.ndjson');

    const runs: { read: number[]; verify: number[]; export: number[]; import: number[] } = { read: [], verify: [], export: [], import: [] };
    const detail: unknown[] = [];
    for (let turn = 0; turn < turns; turn++) {
      // Interleaved, so the machine's drift within the run falls on all four alike.
      const read = await readWholeLog(store, PAGE);
      const verified = await verify(store);
      const exported = await exportTo(store, archive);
      const imported = await importFrom(archive, root);
      if (read.events !== filled.events || exported.merkleRoot !== verified.merkleRoot || imported.merkleRoot !== verified.merkleRoot) {
        throw new Error(`turn ${turn}: the tools disagree on the log (${read.events} read, roots ${verified.merkleRoot} / ${exported.merkleRoot} / ${imported.merkleRoot})`);
      }
      runs.read.push(read.eventsPerSecond);
      runs.verify.push(verified.eventsPerSecond);
      runs.export.push(exported.eventsPerSecond);
      runs.import.push(imported.eventsPerSecond);
      detail.push({ read, verify: verified, export: exported, import: imported });
    }
    await store.close();
    return {
      machine: machine(),
      fill: filled,
      sealing,
      turns: detail,
      medianEventsPerSecond: { read: median(runs.read), verify: median(runs.verify), export: median(runs.export), import: median(runs.import) },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchAudit().then((r) => console.log(JSON.stringify(r, null, 2)), (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
