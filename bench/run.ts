/**
 * `npm run bench`: the speed and memory figures of the README, measured on this machine.
 * A benchmark, not a test: it prints figures and the targets they are held against.
 * `npm run bench -- --quick` (or BENCH_QUICK=1) runs smaller sizes as a smoke check.
 * `npm run bench -- store http` runs only the named parts (store, http, floor, growth, cohort,
 * pictures, audit; scale only when named).
 * Each target is printed with what this machine gives for the same work without the
 * service, measured in the same run (`sqlite-ceiling.bench.ts`, the log read alone, /health).
 */
import { benchAudit } from './audit.bench';
import { benchCohort } from './cohort.bench';
import { benchEventStore } from './event-store.bench';
import { benchHttpFloor } from './http-floor.bench';
import { benchHttpIngestion } from './http-ingestion.bench';
import { benchPictures } from './pictures.bench';
import { benchScale } from './scale.bench';
import { benchStreamGrowth } from './stream-growth.bench';
import { machine } from './support';

/**
 * [what, measured, comparison, target]: an absolute figure; [what, measured]: a reference
 * measured in the same run; a Ratio: a figure against its same-run reference, the way
 * every speed target is now set (this machine's speed drifts by 2x within an hour).
 */
type Row = readonly [string, number, ('>=' | '<' | '<=')?, number?];
interface Ratio {
  readonly ratio: string;
  readonly measured: number;
  readonly reference: number;
  /** How the target reads the two: measured / reference, or reference / measured for times (higher is better either way when 'higher'). */
  readonly cmp: '>=' | '<=';
  /** None: the ratio is printed for reference only. */
  readonly target: number | undefined;
  readonly unit: string;
}
type Part = { readonly name: string; readonly run: () => Promise<Record<string, unknown>>; readonly targets: (r: any) => (Row | Ratio)[]; readonly onlyWhenNamed?: boolean };

const ratio = (what: string, measured: number, reference: number, cmp: '>=' | '<=', target: number | undefined, unit = ''): Ratio => ({ ratio: what, measured, reference, cmp, target, unit });

/**
 * The targets of issue 15, each a ratio of the service's figure to a reference measured
 * in the same run, and the absolute targets of the earlier issues beside them.
 */
const PARTS: Part[] = [
  {
    name: 'store',
    run: benchEventStore,
    targets: (r) => [
      ratio('events/s in batches of 100 (8 in flight) / SQLite alone in durable 1,000-row transactions of the same rows', r.batchesOf100.concurrent.eventsPerSecond, r.sqliteAlone.thousandRowTransactions.rowsPerSecond, '>=', 0.8, '/s'),
      ['durable single-event appends/s (10 concurrent writers)', r.singleEventAppends.concurrent10.appendsPerSecond, '>=', 2000],
      ['- SQLite alone: one-row durable transactions/s', r.sqliteAlone.oneRowTransactions.rowsPerSecond],
      ['events/s reading the global log with JSON decoding', r.readAll.eventsPerSecond, '>=', 250_000],
      ['- SQLite alone: the same rows/s read back, data and metadata JSON.parsed (median of 3 turns)', r.sqliteAlone.readBack.wholeRowsBothJsonColumnsParsed.rowsPerSecond],
      ['- the store\'s readAll on that same file, in turns with the line above (median of 3)', r.sqliteAlone.readBack.theStoresReadAllOnTheSameFile.eventsPerSecond],
    ],
  },
  {
    name: 'http',
    run: benchHttpIngestion,
    targets: (r) => [
      ['HTTP single-event appends/s, new streams (10 clients)', r.singleEventAppends.newStreams.requestsPerSecond],
      ['HTTP single-event append p99 ms, new streams', r.singleEventAppends.newStreams.latencyMs.p99],
    ],
  },
  {
    name: 'floor',
    run: benchHttpFloor,
    targets: (r) => [
      ratio('HTTP follow-ups to 200 patients, 10 clients, appends/s / bare Fastify + better-sqlite3 with grouped durable commits, same bodies and clients', r.followUpAppends.service.requestsPerSecond, r.followUpAppends.reference.requestsPerSecond, '>=', 0.4, '/s'),
      ['HTTP follow-ups to 200 patients, p99 ms', r.followUpAppends.service.latencyMs.p99, '<', 20],
      ['- bare Fastify + better-sqlite3, p99 ms', r.followUpAppends.reference.latencyMs.p99],
    ],
  },
  {
    name: 'growth',
    run: benchStreamGrowth,
    targets: (r) => [
      ratio('appends/s, 10 clients on 10 patients growing to revision 2,000 / the same load spread over 2,000 patients', r.tenGrowingStreams.appendsPerSecond, r.spreadOver2000Patients.appendsPerSecond, '>=', 0.8, '/s'),
      ratio('p50 ms of the last 100 revisions / of the first 100 (lower is better)', Object.values(r.p50 as Record<string, number>)[1], Object.values(r.p50 as Record<string, number>)[0], '<=', 1.25, ' ms'),
    ],
  },
  {
    name: 'cohort',
    run: benchCohort,
    targets: (r) => [
      ratio(`rebuild of ${r.fill.patients.toLocaleString('en-US')} patients, events/s / the same log read and decoded alone`, r.rebuild.eventsPerSecond, r.readLogAlone.eventsPerSecond, '>=', 0.7, '/s'),
      ratio('GET /v1/patients/{id}, 10 clients, random patients, p99 ms / GET /health under the same clients (lower is better)', r.patientRead10Clients.latencyMs.p99, r.health10Clients.latencyMs.p99, '<=', 1.5, ' ms'),
      ratio('the same reads repeated (answered from the view cache), p99 ms / GET /health (lower is better)', r.repeatedPatientRead10Clients.latencyMs.p99, r.health10Clients.latencyMs.p99, '<=', 1.5, ' ms'),
      ['projecting one patient, p99 ms', r.projectOnePatient.latencyMs.p99, '<', 10],
      ['survival report (OS), median ms', r.reports.survivalOS.latencyMs.p50, '<', 500],
      ['adverse-event report, median ms', r.reports.adverseEvents.latencyMs.p50, '<', 500],
    ],
  },
  {
    // The auditor's tools over the cohort, each against the same log read and decoded alone, interleaved in one run.
    name: 'audit',
    run: benchAudit,
    targets: (r) => [
      ratio(`verify the whole log of ${r.fill.patients.toLocaleString('en-US')} patients (chains, order, seals), events/s / the same log read and decoded alone`, r.medianEventsPerSecond.verify, r.medianEventsPerSecond.read, '>=', 0.5, '/s'),
      ratio('export the whole log to an NDJSON archive on the same disk, events/s / the log read alone', r.medianEventsPerSecond.export, r.medianEventsPerSecond.read, '>=', 0.5, '/s'),
      ratio('import that archive into an empty store (checked, restored, sealed), events/s / the log read alone', r.medianEventsPerSecond.import, r.medianEventsPerSecond.read, '>=', undefined, '/s'),
    ],
  },
  {
    // No targets: what the figure routes cost beside the JSON routes they draw from.
    name: 'pictures',
    run: benchPictures,
    targets: (r) => [
      ['swimmer rows, a page of 50, median ms', r.swimmerPage50.latencyMs.p50],
      ['- the patient list, a page of 50, median ms', r.listPage50.latencyMs.p50],
      ['swimmer.svg, a page of 500, median ms', r.swimmerSvg500.latencyMs.p50],
      [`swimmer rows as recorded before an instant (all ${r.patients} patients projected), median ms`, r.swimmerRecordedBeforeWholeCohort.latencyMs.p50],
      ['survival.svg (OS), median ms', r.survivalSvg.latencyMs.p50],
      ['- survival JSON (OS), median ms', r.survivalJson.latencyMs.p50],
    ],
  },
  {
    // Not in a plain `npm run bench` (it fills a million patients): `npm run bench -- scale`.
    name: 'scale',
    run: benchScale,
    onlyWhenNamed: true,
    targets: (r) => [
      ratio('survival report (OS) at 1,000,000 patients, median ms / at 100,000 (lower is better)', r.large.survivalOS.latencyMs.p50, r.small.survivalOS.latencyMs.p50, '<=', 12, ' ms'),
      ['- memory per patient, bytes: the service\'s own memory (RssAnon) at 1,000,000 / patients', r.large.memory.bytesPerPatient],
      ['- memory per patient, bytes, each patient past 100,000 (RssAnon growth / added patients)', r.marginalBytesPerPatient],
    ],
  },
];

const fmt = (n: number) => n.toLocaleString('en-US');

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const parts = PARTS.filter((p) => (wanted.length === 0 ? !p.onlyWhenNamed : wanted.includes(p.name)));
  const rows: string[] = [];
  console.log(`machine: ${machine()}`);
  for (const part of parts) {
    console.error(`running ${part.name}...`);
    const result = await part.run();
    console.log(`\n## ${part.name}\n${JSON.stringify(result, null, 2)}`);
    for (const row of part.targets(result)) {
      if (!Array.isArray(row)) {
        const { ratio: what, measured, reference, cmp, target, unit } = row as Ratio;
        const value = Math.round((measured / reference) * 100) / 100;
        if (target === undefined) {
          rows.push(`| ${what} | ${fmt(measured)}${unit} | ${fmt(reference)}${unit} | ${value} | none | |`);
          continue;
        }
        const met = cmp === '>=' ? value >= target : value <= target;
        rows.push(`| ${what} | ${fmt(measured)}${unit} | ${fmt(reference)}${unit} | ${value} | ${cmp} ${target} | ${met ? 'met' : 'NOT met'} |`);
        continue;
      }
      const [what, measured, cmp, target] = row as Row;
      if (cmp === undefined || target === undefined) {
        rows.push(`| ${what} | ${fmt(measured)} | | | same run, for reference | |`);
        continue;
      }
      const met = cmp === '>=' ? measured >= target : cmp === '<' ? measured < target : measured <= target;
      rows.push(`| ${what} | ${fmt(measured)} | | | ${cmp} ${fmt(target)} | ${met ? 'met' : 'NOT met'} |`);
    }
  }
  console.log(['\n| measure | result | same-run reference | ratio | target | |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
