/**
 * Archives over SYNTHETIC cohorts: a round trip of 10,000 patients through an NDJSON file
 * gives identical events, digests and derived records; SQLite to EventStoreDB (the gRPC
 * stand-in) and back; broken, reordered and truncated files refused naming the line.
 */
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { effectiveHistory } from '../domain/history/effective-history';
import { project } from '../domain/projection/project';
import type { ClinicalFactType } from '../domain/events/clinical-event';
import { chemoStarted, enrolled, followUp, stemCellsInfused, syntheticId, type FactOf } from '../domain/testing/journey.fixtures';
import type { EventStore, StoredEvent } from '../event-store/event-store.port';
import { EventStoreDbEventStore } from '../event-store/eventstoredb/eventstoredb-event-store';
import { EsdbStandIn } from '../event-store/eventstoredb/testing/esdb-stand-in';
import { patientStreamId, PATIENT_STREAM_PREFIX, toHistoryEntry } from '../event-store/patient-stream';
import { SqliteEventStore } from '../event-store/sqlite/sqlite-event-store';
import { ArchiveError, checkArchive, exportArchive, importArchive } from './archive';
import { Sealer } from './sealer';

function steppingClock(startIso = '2026-06-01T12:00:00.000Z'): () => Date {
  let t = Date.parse(startIso);
  return () => new Date(t++);
}

/** Patient n: enrolled, chemotherapy, Day 0 and a follow-up, in two appends (synthetic dates spread over 2025). */
async function fill(store: EventStore, patients: number, namespace: number): Promise<void> {
  const pending: Promise<unknown>[] = [];
  for (let n = 0; n < patients; n++) {
    const day = String(1 + (n % 28)).padStart(2, '0');
    const id = (k: number) => syntheticId(n * 4 + k, namespace);
    const streamId = patientStreamId(`SYN-R${String(n).padStart(5, '0')}`);
    const first = [enrolled(`2025-01-${day}`, {}, id(0)), chemoStarted(`2025-02-${day}`, {}, id(1))];
    const second = [stemCellsInfused(`2025-04-${day}`, {}, id(2)), followUp(`2025-05-${day}`, id(3))];
    const toAppend = (events: readonly FactOf<ClinicalFactType>[]) => events.map((e) => ({ eventId: e.eventId, type: e.type, occurredOn: e.occurredOn, data: e.data, metadata: { source: 'SYNTHETIC', enteredBy: { userId: 'crc-1' }, actor: { keyId: 'emitter-1', role: 'emitter' }, schemaVersion: 1 } }));
    pending.push(store.append(streamId, toAppend(first), 'no_stream').then(() => store.append(streamId, toAppend(second), 1)));
    if (pending.length >= 500) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
}

async function wholeLog(store: EventStore): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let after: number | undefined;
  for (;;) {
    const page = await store.readAll({ ...(after === undefined ? {} : { after }), maxCount: 5000 });
    events.push(...page.events);
    if (page.isEnd || page.events.length === 0) return events;
    after = page.events[page.events.length - 1].position;
  }
}

/** Everything but the store's own positions. */
const comparable = (events: readonly StoredEvent[]) => events.map(({ position: _p, ...rest }) => rest);

function derivedRecords(events: readonly StoredEvent[]): string[] {
  const byStream = new Map<string, StoredEvent[]>();
  for (const e of events) byStream.set(e.streamId, [...(byStream.get(e.streamId) ?? []), e]);
  return [...byStream].map(([streamId, stream]) => JSON.stringify(project(streamId.slice(PATIENT_STREAM_PREFIX.length), effectiveHistory(stream.map(toHistoryEntry)), '2026-06-01', { revision: stream.length - 1 })));
}

async function exportTo(store: EventStore, file: string, kind: string): Promise<void> {
  const out = createWriteStream(file);
  await exportArchive(store, out, { storeKind: kind, serviceVersion: '0.1.0', exportedAt: '2026-06-01T12:00:00.000Z' });
  await new Promise<void>((resolve) => out.end(() => resolve()));
}

describe('archives', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'archive-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips 10,000 patients through a file with identical events, digests and derived records', async () => {
    const source = await SqliteEventStore.open({ dataDir: join(dir, 'a'), clock: steppingClock() });
    await fill(source, 10_000, 1);
    const sealer = new Sealer(source, steppingClock('2026-06-01T13:00:00.000Z'));
    await sealer.start({ follow: false });
    await sealer.idle();
    const file = join(dir, 'log.ndjson');
    await exportTo(source, file, 'sqlite');
    const original = await wholeLog(source);
    await source.close();

    const target = await SqliteEventStore.open({ dataDir: join(dir, 'b') });
    const summary = await importArchive(target, () => createReadStream(file));
    const copied = await wholeLog(target);
    await target.close();

    expect(summary).toMatchObject({ events: 40_000, streams: 10_000, seals: 40 });
    // Compared as text: a deep comparison of 40,000 objects would take most of the test's time.
    const [copiedLines, originalLines] = [comparable(copied).map((e) => JSON.stringify(e)), comparable(original).map((e) => JSON.stringify(e))];
    expect(copiedLines.length).toBe(originalLines.length);
    expect(copiedLines.findIndex((line, i) => line !== originalLines[i])).toBe(-1);
    expect(derivedRecords(copied)).toEqual(derivedRecords(original));
  });

  it('moves a log from SQLite to EventStoreDB (the gRPC stand-in) and back, digests and seals roots intact', async () => {
    const server = new EsdbStandIn();
    const { connectionString } = await server.start();
    try {
      const sqlite = await SqliteEventStore.open({ dataDir: join(dir, 'a'), clock: steppingClock() });
      await fill(sqlite, 60, 2);
      const sealer = new Sealer(sqlite, steppingClock(), { maxEvents: 100, maxAgeMs: 60_000 });
      await sealer.start({ follow: false });
      await sealer.idle();
      await exportTo(sqlite, join(dir, 'from-sqlite.ndjson'), 'sqlite');
      const original = await wholeLog(sqlite);
      const originalSeals = await sqlite.readSeals();
      await sqlite.close();

      const esdb = await EventStoreDbEventStore.connect(connectionString, { streamPrefix: PATIENT_STREAM_PREFIX });
      await importArchive(esdb, () => createReadStream(join(dir, 'from-sqlite.ndjson')));
      const resealer = new Sealer(esdb, steppingClock(), { maxEvents: 100, maxAgeMs: 60_000 });
      await resealer.start({ follow: false });
      await resealer.idle();
      await exportTo(esdb, join(dir, 'from-esdb.ndjson'), 'eventstoredb');
      const inEsdb = await wholeLog(esdb);
      const esdbSeals = await esdb.readSeals();
      await esdb.close();

      const back = await SqliteEventStore.open({ dataDir: join(dir, 'c') });
      await importArchive(back, () => createReadStream(join(dir, 'from-esdb.ndjson')));
      const returned = await wholeLog(back);
      await back.close();

      expect(comparable(inEsdb)).toEqual(comparable(original));
      expect(comparable(returned)).toEqual(comparable(original));
      expect(esdbSeals.map((s) => [s.count, s.merkleRoot])).toEqual(originalSeals.map((s) => [s.count, s.merkleRoot]));
      expect(derivedRecords(returned)).toEqual(derivedRecords(original));
    } finally {
      await server.stop();
    }
  });

  describe('refusing a damaged archive, naming the line, storing nothing', () => {
    let file: string;
    let lines: string[];
    beforeEach(async () => {
      const store = await SqliteEventStore.open({ dataDir: join(dir, 'a'), clock: steppingClock() });
      await fill(store, 3, 3);
      const sealer = new Sealer(store, steppingClock(), { maxEvents: 5, maxAgeMs: 60_000 });
      await sealer.start({ follow: false });
      await sealer.idle();
      file = join(dir, 'log.ndjson');
      await exportTo(store, file, 'sqlite');
      await store.close();
      lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    });

    it.each<[string, (l: string[]) => string[], RegExp]>([
      ['a line cut in the middle', (l) => [...l.slice(0, 3), l[3].slice(0, 40), ...l.slice(4)], /^line 4: not a JSON value/],
      ['a changed value', (l) => l.map((x, i) => (i === 2 ? x.replace('SYNTHETIC', 'SYNTHETIK') : x)), /^line 3: .*the line was altered/],
      ['two lines swapped', (l) => [l[0], l[2], l[1], ...l.slice(3)], /^line 2: patient-SYN-R00000 revision 1 follows -1: lines are missing or out of order/],
      ['the tail truncated', (l) => l.slice(0, 9), /^line 10: the end line is missing/],
      ['a line dropped', (l) => [...l.slice(0, 2), ...l.slice(3)], /^line 6: seal 1 does not seal the 4 events before it/],
      ['a seal altered', (l) => l.map((x) => (x.includes('"kind":"seal"') ? x.replace('"count":5', '"count":6') : x)), /^line 7: seal 1 does not hash/],
    ])('%s', async (_what, damage, message) => {
      writeFileSync(file, damage(lines).join('\n') + '\n');
      const target = await SqliteEventStore.open({ dataDir: join(dir, 'b') });
      try {
        const error = await importArchive(target, () => createReadStream(file)).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ArchiveError);
        expect((error as Error).message).toMatch(message);
        expect(await target.headPosition()).toBeNull();
      } finally {
        await target.close();
      }
    });

    it('accepts the undamaged file and says what it holds', async () => {
      await expect(checkArchive(() => createReadStream(file))).resolves.toMatchObject({ events: 12, streams: 3, seals: 2, header: { format: 'timeline-archive', formatVersion: 1, storeKind: 'sqlite' } });
    });
  });
});
