import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '../src/event-store/event-store.port';
import { EVENTS_FILE, SqliteEventStore } from '../src/event-store/sqlite/sqlite-event-store';
import type { Ack, BatchMark } from './support/sqlite-writer.child';
import { startWriterProcess, type WriterProcess } from './support/sqlite-writer.process';

/**
 * A writer process is killed with SIGKILL while it appends; the store reopened afterwards
 * must hold every event whose append was acknowledged, and only whole appends.
 */
describe('SQLite event store killed mid-write', () => {
  let dataDir: string;
  let writer: WriterProcess | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'sqlite-crash-'));
  });
  afterEach(() => {
    writer?.child.kill('SIGKILL');
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged event and no partial append, kill after kill on the same files', async () => {
    const acknowledged: Ack[] = [];
    // [largest batch, concurrent writers, acknowledgements to wait for before the kill]
    const rounds: [number, number, number][] = [
      [1, 4, 150],
      [5, 8, 300],
      [20, 8, 200],
      [3, 16, 400],
    ];

    for (const [maxBatch, writers, acksBeforeKill] of rounds) {
      writer = startWriterProcess(['write', dataDir, String(maxBatch), String(writers)]);
      // 'ready' is the first line, every later one an acknowledgement.
      await writer.waitUntil((lines) => lines.length > acksBeforeKill);
      writer.child.kill('SIGKILL');
      const { signal } = await writer.exited;
      const acks = writer.lines.filter((l) => l.startsWith('ack ')).map((l) => JSON.parse(l.slice(4)) as Ack);
      acknowledged.push(...acks);

      const log = await readWholeLog(dataDir);

      expect(signal).toBe('SIGKILL');
      expect(acks.length).toBeGreaterThanOrEqual(acksBeforeKill);
      expect(missingAcknowledged(log, acknowledged)).toEqual([]);
      expect(positionsOutOfOrder(log)).toEqual([]);
      expect(streamsWithGaps(log)).toEqual([]);
      expect(partialBatches(log)).toEqual([]);
      expect(integrityCheck(dataDir)).toEqual(['ok']);
    }
  });
});

async function readWholeLog(dataDir: string): Promise<StoredEvent[]> {
  const store = await SqliteEventStore.open({ dataDir });
  try {
    const log: StoredEvent[] = [];
    for (;;) {
      const page = await store.readAll({ ...(log.length ? { after: log[log.length - 1].position } : {}), maxCount: 5000 });
      log.push(...page.events);
      if (page.isEnd) return log;
    }
  } finally {
    await store.close();
  }
}

function missingAcknowledged(log: readonly StoredEvent[], acks: readonly Ack[]): string[] {
  const byId = new Map(log.map((e) => [e.eventId, e]));
  return acks.flatMap((ack) =>
    ack.eventIds.flatMap((id, i) => {
      const stored = byId.get(id);
      const same = stored && stored.streamId === ack.streamId && stored.revision === ack.revisions[i] && stored.position === ack.positions[i];
      return same ? [] : [`${ack.batch}#${i}`];
    }),
  );
}

function positionsOutOfOrder(log: readonly StoredEvent[]): number[] {
  return log.filter((e, i) => i > 0 && e.position <= log[i - 1].position).map((e) => e.position);
}

function streamsWithGaps(log: readonly StoredEvent[]): string[] {
  const next = new Map<string, number>();
  const gaps = new Set<string>();
  for (const e of log) {
    if (e.revision !== (next.get(e.streamId) ?? 0)) gaps.add(e.streamId);
    next.set(e.streamId, e.revision + 1);
  }
  return [...gaps];
}

/** Batches not stored whole: missing events, or events not consecutive in their stream and the log. */
function partialBatches(log: readonly StoredEvent[]): string[] {
  const batches = new Map<string, StoredEvent[]>();
  for (const e of log) {
    const { batch } = e.data as BatchMark;
    const events = batches.get(batch);
    if (events) events.push(e);
    else batches.set(batch, [e]);
  }
  return [...batches].flatMap(([batch, events]) => {
    const whole = events.every(
      (e, i) =>
        (e.data as BatchMark).size === events.length &&
        (e.data as BatchMark).index === i &&
        e.streamId === events[0].streamId &&
        e.revision === events[0].revision + i &&
        e.position === events[0].position + i,
    );
    return whole ? [] : [batch];
  });
}

function integrityCheck(dataDir: string): string[] {
  const db = new Database(join(dataDir, EVENTS_FILE));
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check);
  } finally {
    db.close();
  }
}
