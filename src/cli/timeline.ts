#!/usr/bin/env node
/**
 * `timeline`: the auditor's tools, installed with the package (`npx timeline <command>`).
 *
 *   export   the whole log or one subject as an NDJSON archive
 *   import   an archive into an empty store
 *   verify   a live store or an archive, optionally against kept seals
 *   replay   one subject from an archive, event by event, with its derived record (no server)
 *   rebuild  the read model of a SQLite data dir from position 0
 *
 * Exit codes: 0 done and verified; 1 verification failed or the archive was refused;
 * 2 bad usage; 3 the store could not be opened or another error.
 */
import 'reflect-metadata';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ArchiveError, exportArchive, importArchive, readArchive } from '../audit/archive';
import { LogVerifier, verifyStore, type VerificationReport } from '../audit/log-verifier';
import { Sealer } from '../audit/sealer';
import { isClinicalDate, utcDateOf } from '../domain/calendar/clinical-date';
import { effectiveHistory } from '../domain/history/effective-history';
import { project } from '../domain/projection/project';
import type { EventStore, StoredEvent } from '../event-store/event-store.port';
import type { Seal } from '../event-store/log-seal';
import { EventStoreDbEventStore } from '../event-store/eventstoredb/eventstoredb-event-store';
import { patientStreamId, PATIENT_STREAM_PREFIX, toHistoryEntry } from '../event-store/patient-stream';
import { SqliteEventStore } from '../event-store/sqlite/sqlite-event-store';
import { PatientProjector } from '../projections/patient.projector';
import { openReadModelDatabase } from '../projections/read-model.database';

const EXIT = { ok: 0, failed: 1, usage: 2, error: 3 } as const;

class UsageError extends Error {}

const STORE_OPTIONS = `  --data-dir DIR        the SQLite store in DIR (events.sqlite), as the service's DATA_DIR
  --eventstore URL      an EventStoreDB store, e.g. esdb://localhost:2113?tls=false`;

const HELP: Record<string, string> = {
  main: `timeline <command> [options]

Commands:
  export    write the log (or one subject) as an NDJSON archive
  import    import an archive into an empty store
  verify    verify a store or an archive, optionally against kept seals
  replay    replay one subject from an archive with its derived record after each event
  rebuild   rebuild the read model of a SQLite data dir from position 0

Run timeline <command> --help for its options.
Exit codes: 0 ok, 1 verification failed or archive refused, 2 bad usage, 3 error (store unavailable...).`,
  export: `timeline export (--data-dir DIR | --eventstore URL) [--subject ID] [--out FILE] [--json]

Writes an NDJSON archive: a header line (format version, store kind, service version), one
line per event with its chain digest, the seals at their positions, and an end line.
${STORE_OPTIONS}
  --subject ID          only this subject's stream (no seals: they cover the whole log)
  --out FILE            write to FILE (default: standard output)
  --json                print the summary as JSON`,
  import: `timeline import --archive FILE (--data-dir DIR | --eventstore URL) [--json]

Checks the whole archive first (a broken, reordered or truncated one is refused naming the
line, and nothing is stored), then restores it into the EMPTY store with the same events,
recording times and digests, and seals the result.
${STORE_OPTIONS}`,
  verify: `timeline verify (--data-dir DIR | --eventstore URL | --archive FILE) [--seals FILE] [--json]

Checks every stream's digest chain, revisions, the log order, recording times and the seal
chain, and reports the first broken link of each stream.
${STORE_OPTIONS}
  --archive FILE        verify an archive instead of a store
  --seals FILE          seals kept outside the service (JSON: the answer of GET /v1/audit/seals, or an array)
  --json                print the whole report as JSON`,
  replay: `timeline replay <subject> --archive FILE [--as-of YYYY-MM-DD] [--recorded-before ISO] [--json]

Prints each stored event of the subject and the derived record after it, from an archive,
with no server. The archive is checked as it is read.
  --as-of DATE          the clinical date the record is taken as of (default: today, UTC)
  --recorded-before T   only what was recorded before this instant
  --json                one JSON line per event: { event, record }`,
  rebuild: `timeline rebuild --data-dir DIR [--json]

Rebuilds the service's read model (read-model.sqlite) from position 0 of the store in DIR.
Run it with the service stopped.`,
};

function serviceVersion(): string {
  return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}

async function openStore(values: { 'data-dir'?: string; eventstore?: string }): Promise<{ store: EventStore; kind: string }> {
  if (values['data-dir'] && values.eventstore) throw new UsageError('give --data-dir or --eventstore, not both');
  if (values['data-dir']) return { store: await SqliteEventStore.open({ dataDir: values['data-dir'] }), kind: 'sqlite' };
  if (values.eventstore) return { store: await EventStoreDbEventStore.connect(values.eventstore, { streamPrefix: PATIENT_STREAM_PREFIX }), kind: 'eventstoredb' };
  throw new UsageError('a store is needed: --data-dir DIR or --eventstore URL');
}

function progress(what: string): ((n: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (n) => process.stderr.write(`\r${what} ${n.toLocaleString('en-US')} events`);
}

function readKeptSeals(file: string | undefined): Seal[] {
  if (!file) return [];
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { seals?: Seal[] } | Seal[];
  return Array.isArray(parsed) ? parsed : (parsed.seals ?? []);
}

function printReport(report: VerificationReport, json: boolean): number {
  if (json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    process.stdout.write(`${report.ok ? 'VERIFIED' : 'BROKEN'}: ${report.events} events in ${report.streams} streams, ${report.seals.checked} of ${report.seals.stored} seals checked, Merkle root ${report.head.merkleRoot}\n`);
    for (const k of report.keptSeals) process.stdout.write(`kept seal ${k.sequence} (${k.count} events): ${k.ok ? 'matches' : 'DOES NOT MATCH'}\n`);
    for (const b of [...report.streamBreaks, ...report.logBreaks]) {
      const where = [b.streamId && `stream ${b.streamId}`, b.revision !== undefined && `revision ${b.revision}`, b.position !== undefined && `position ${b.position}`, b.sequence !== undefined && `seal ${b.sequence}`].filter(Boolean).join(', ');
      process.stdout.write(`  ${b.code} at ${where}: ${b.message}\n`);
    }
  }
  return report.ok ? EXIT.ok : EXIT.failed;
}

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP.main + '\n');
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (!(command in HELP) || command === 'main') throw new UsageError(`unknown command ${command}`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: command === 'replay',
    options: {
      help: { type: 'boolean', short: 'h' },
      json: { type: 'boolean' },
      'data-dir': { type: 'string' },
      eventstore: { type: 'string' },
      archive: { type: 'string' },
      subject: { type: 'string' },
      out: { type: 'string' },
      seals: { type: 'string' },
      'as-of': { type: 'string' },
      'recorded-before': { type: 'string' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP[command] + '\n');
    return EXIT.ok;
  }
  const json = values.json ?? false;
  switch (command) {
    case 'export': {
      const { store, kind } = await openStore(values);
      try {
        const out = values.out ? createWriteStream(values.out) : process.stdout;
        const result = await exportArchive(store, out, { storeKind: kind, serviceVersion: serviceVersion(), exportedAt: new Date().toISOString(), ...(values.subject ? { subjectId: values.subject } : {}), progress: progress('exported') });
        if (values.out) await new Promise<void>((resolve) => out.end(() => resolve()));
        if (process.stderr.isTTY) process.stderr.write('\n');
        const summary = { exported: result.events, seals: result.seals, merkleRoot: result.merkleRoot, ...(values.out ? { file: values.out } : {}) };
        if (values.out) process.stdout.write(json ? JSON.stringify(summary) + '\n' : `exported ${result.events} events and ${result.seals} seals to ${values.out}; Merkle root ${result.merkleRoot}\n`);
        else if (json) process.stderr.write(JSON.stringify(summary) + '\n');
        return EXIT.ok;
      } finally {
        await store.close();
      }
    }
    case 'import': {
      if (!values.archive) throw new UsageError('--archive FILE is required');
      const file = values.archive;
      const { store } = await openStore(values);
      try {
        const summary = await importArchive(store, () => createReadStream(file), progress('imported'));
        const sealer = new Sealer(store, () => new Date());
        await sealer.start({ follow: false });
        await sealer.sealNow();
        if (process.stderr.isTTY) process.stderr.write('\n');
        const seals = (await store.readSeals()).length;
        const result = { imported: summary.events, streams: summary.streams, merkleRoot: summary.merkleRoot, sealsWritten: seals };
        process.stdout.write(json ? JSON.stringify(result) + '\n' : `imported ${summary.events} events of ${summary.streams} streams; Merkle root ${summary.merkleRoot}; ${seals} seals written\n`);
        return EXIT.ok;
      } finally {
        await store.close();
      }
    }
    case 'verify': {
      const kept = readKeptSeals(values.seals);
      if (values.archive) {
        const file = values.archive;
        const seals: Seal[] = [];
        for await (const item of readArchive(createReadStream(file))) if (item.kind === 'seal') seals.push(item.seal);
        const verifier = new LogVerifier(seals, kept);
        for await (const item of readArchive(createReadStream(file))) if (item.kind === 'event') verifier.add(item.event);
        return printReport(verifier.finish(), json);
      }
      const { store } = await openStore(values);
      try {
        return printReport(await verifyStore(store, kept), json);
      } finally {
        await store.close();
      }
    }
    case 'replay': {
      const [subjectId] = positionals;
      if (!subjectId || positionals.length > 1) throw new UsageError('replay takes one subject id');
      if (!values.archive) throw new UsageError('--archive FILE is required');
      const asOf = values['as-of'] ?? utcDateOf(new Date());
      if (!isClinicalDate(asOf)) throw new UsageError('--as-of must be a date YYYY-MM-DD');
      const before = values['recorded-before'];
      if (before !== undefined && Number.isNaN(Date.parse(before))) throw new UsageError('--recorded-before must be an ISO instant');
      const cutoff = before === undefined ? null : new Date(before).toISOString();
      const streamId = patientStreamId(subjectId);
      const seen: StoredEvent[] = [];
      const file = values.archive;
      for await (const item of readArchive(createReadStream(file))) {
        if (item.kind !== 'event' || item.event.streamId !== streamId) continue;
        if (cutoff !== null && item.event.recordedAt >= cutoff) continue;
        seen.push(item.event);
        const record = project(subjectId, effectiveHistory(seen.map(toHistoryEntry)), asOf, { revision: item.event.revision });
        const e = item.event;
        if (json) process.stdout.write(JSON.stringify({ event: e, record }) + '\n');
        else {
          process.stdout.write(`#${e.revision} ${e.type} ${e.occurredOn ?? ''} recorded ${e.recordedAt}\n`);
          process.stdout.write(record === null ? '   (not enrolled as of ' + asOf + ')\n' : `   phase ${record.phase}, Day 0 ${record.day0 ?? '-'}, window ${record.day100Window.status}, primary ${record.primaryEndpoint.status}, queries ${record.queries.map((q) => q.code).join(' ') || '-'}\n`);
        }
      }
      if (seen.length === 0) {
        process.stderr.write(`no events of ${subjectId} in the archive${cutoff ? ` recorded before ${cutoff}` : ''}\n`);
        return EXIT.failed;
      }
      return EXIT.ok;
    }
    case 'rebuild': {
      if (!values['data-dir']) throw new UsageError('--data-dir DIR is required');
      const store = await SqliteEventStore.open({ dataDir: values['data-dir'] });
      const db = openReadModelDatabase(values['data-dir']);
      const projector = new PatientProjector(store, db);
      try {
        const status = await projector.rebuild();
        process.stdout.write(json ? JSON.stringify(status) + '\n' : `read model rebuilt: ${JSON.stringify(status)}\n`);
        return EXIT.ok;
      } finally {
        projector.stop();
        await store.close();
        db.close();
      }
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

run(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`timeline: ${(error as Error).message}\nRun timeline --help.\n`);
      process.exitCode = EXIT.usage;
    } else if (error instanceof ArchiveError) {
      process.stderr.write(`timeline: archive refused: ${error.message}\n`);
      process.exitCode = EXIT.failed;
    } else {
      process.stderr.write(`timeline: ${(error as Error).message ?? String(error)}\n`);
      process.exitCode = EXIT.error;
    }
  },
);
