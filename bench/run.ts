/**
 * `npm run bench`: the speed and memory figures of the README, measured on this machine.
 * A benchmark, not a test: it prints figures and the targets they are held against.
 * `npm run bench -- --quick` (or BENCH_QUICK=1) runs smaller sizes as a smoke check.
 * `npm run bench -- store http` runs only the named parts (store, http, floor, cohort, pictures).
 * Each target is printed with what this machine gives for the same work without the
 * service, measured in the same run (`sqlite-ceiling.bench.ts`, the log read alone, /health).
 */
import { benchCohort } from './cohort.bench';
import { benchEventStore } from './event-store.bench';
import { benchHttpFloor } from './http-floor.bench';
import { benchHttpIngestion } from './http-ingestion.bench';
import { benchPictures } from './pictures.bench';
import { machine } from './support';

/** [what, measured, comparison, target]; a row without a target is a reference measured in the same run. */
type Row = readonly [string, number, ('>=' | '<')?, number?];
type Part = { readonly name: string; readonly run: () => Promise<Record<string, unknown>>; readonly targets: (r: any) => Row[] };

/**
 * The targets of the issues on 2 cores, each followed by what the same machine gives for
 * the same work without the service, measured minutes apart in the same run: this
 * machine's speed drifts by 2x within hours, so a figure alone says little.
 */
const PARTS: Part[] = [
  {
    name: 'store',
    run: benchEventStore,
    targets: (r) => [
      ['durable single-event appends/s (10 concurrent writers)', r.singleEventAppends.concurrent10.appendsPerSecond, '>=', 2000],
      ['- SQLite alone: one-row durable transactions/s', r.sqliteAlone.oneRowTransactions.rowsPerSecond],
      ['events/s in batches of 100 (8 in flight)', r.batchesOf100.concurrent.eventsPerSecond, '>=', 100_000],
      ['- SQLite alone: rows/s in durable 1,000-row transactions of the same rows', r.sqliteAlone.thousandRowTransactions.rowsPerSecond],
      ['events/s reading the global log with JSON decoding', r.readAll.eventsPerSecond, '>=', 250_000],
      ['- SQLite alone: the same rows/s read back, data and metadata JSON.parsed (median of 3 turns)', r.sqliteAlone.readBack.wholeRowsBothJsonColumnsParsed.rowsPerSecond],
      ['- the store\'s readAll on that same file, in turns with the line above (median of 3)', r.sqliteAlone.readBack.theStoresReadAllOnTheSameFile.eventsPerSecond],
      ['- SQLite alone: the data column alone/s read back with JSON.parse', r.sqliteAlone.readBack.dataColumnWithJsonParse.rowsPerSecond],
    ],
  },
  {
    name: 'http',
    run: benchHttpIngestion,
    targets: (r) => [
      ['HTTP single-event appends/s (10 clients)', r.singleEventAppends.newStreams.requestsPerSecond, '>=', 3000],
      ['HTTP single-event append p99 ms', r.singleEventAppends.newStreams.latencyMs.p99, '<', 20],
    ],
  },
  {
    // No target of its own: the ceiling of any route here, for reading the two above and below.
    name: 'floor',
    run: benchHttpFloor,
    targets: () => [],
  },
  {
    name: 'cohort',
    run: benchCohort,
    targets: (r) => [
      ['projecting one patient, p99 ms', r.projectOnePatient.latencyMs.p99, '<', 10],
      [`rebuild of ${r.fill.patients.toLocaleString('en-US')} patients, events/s`, r.rebuild.eventsPerSecond, '>=', 100_000],
      ['- the same log read and decoded alone (readAll), events/s', r.readLogAlone.eventsPerSecond],
      ['GET /v1/patients/{id}, 10 clients, p99 ms', r.patientRead10Clients.latencyMs.p99, '<', 10],
      ['- GET /health, 10 clients, p99 ms', r.health10Clients.latencyMs.p99],
      ['survival report (OS), median ms', r.reports.survivalOS.latencyMs.p50, '<', 500],
      ['adverse-event report, median ms', r.reports.adverseEvents.latencyMs.p50, '<', 500],
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
];

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const parts = PARTS.filter((p) => wanted.length === 0 || wanted.includes(p.name));
  const rows: string[] = [];
  console.log(`machine: ${machine()}`);
  for (const part of parts) {
    console.error(`running ${part.name}...`);
    const result = await part.run();
    console.log(`\n## ${part.name}\n${JSON.stringify(result, null, 2)}`);
    for (const [what, measured, cmp, target] of part.targets(result)) {
      if (cmp === undefined || target === undefined) {
        rows.push(`| ${what} | ${measured.toLocaleString('en-US')} | same run, for reference | |`);
        continue;
      }
      const met = cmp === '>=' ? measured >= target : measured < target;
      rows.push(`| ${what} | ${measured.toLocaleString('en-US')} | ${cmp} ${target.toLocaleString('en-US')} | ${met ? 'met' : 'NOT met'} |`);
    }
  }
  console.log(['\n| measure | result | target | |', '| --- | --- | --- | --- |', ...rows].join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
