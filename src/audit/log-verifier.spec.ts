/**
 * Tamper evidence against someone with write access to the SQLite file: each test fills a
 * store with SYNTHETIC events and seals, closes it, edits the file directly with
 * better-sqlite3, reopens it and verifies. Every tampering is found and located.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from '../common/canonical-json';
import type { Seal } from '../event-store/log-seal';
import { EVENTS_FILE, SqliteEventStore } from '../event-store/sqlite/sqlite-event-store';
import { linkDigest } from '../event-store/stream-digest';
import { type Break, verifyStore, type VerificationReport } from './log-verifier';
import { Sealer } from './sealer';

const STREAMS = ['patient-SYN-T1', 'patient-SYN-T2', 'patient-SYN-T3', 'patient-SYN-T4', 'patient-SYN-T5'];
const EVENTS_PER_STREAM = 6;
const SEAL_EVERY = 10;

function steppingClock(startIso = '2026-06-01T12:00:00.000Z'): () => Date {
  let t = Date.parse(startIso);
  return () => new Date((t += 1000));
}

type Row = { position: number; stream_id: string; revision: number; event_id: string; type: string; occurred_on: string | null; data: string; metadata: string; recorded_at: string; digest: string };

describe('verifying a store whose file was edited behind its back', () => {
  let dataDir: string;
  let kept: Seal[];

  /** 5 streams of 6 synthetic events, appended round-robin (positions 1..30), sealed every 10 events. */
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'audit-tamper-'));
    const clock = steppingClock();
    const store = await SqliteEventStore.open({ dataDir, clock });
    for (let revision = 0; revision < EVENTS_PER_STREAM; revision++) {
      for (const [i, streamId] of STREAMS.entries()) {
        await store.append(streamId, [{ eventId: `00000000-0000-4000-8000-${String(i * 100 + revision).padStart(12, '0')}`, type: 'FollowUpRecorded', occurredOn: `2026-0${revision + 1}-1${i}`, data: { n: revision, synthetic: true }, metadata: { source: 'SYNTHETIC', actor: { keyId: 'emitter-1', role: 'emitter' }, schemaVersion: 1 } }], revision === 0 ? 'no_stream' : revision - 1);
      }
    }
    const sealer = new Sealer(store, clock, { maxEvents: SEAL_EVERY, maxAgeMs: 60_000 });
    await sealer.start({ follow: false });
    await sealer.idle();
    kept = await store.readSeals();
    await store.close();
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  async function tamper(edit: (db: Database.Database) => void): Promise<VerificationReport> {
    const db = new Database(join(dataDir, EVENTS_FILE));
    edit(db);
    db.close();
    return verifyNow([]);
  }

  async function verifyNow(keptSeals: readonly Seal[]): Promise<VerificationReport> {
    const store = await SqliteEventStore.open({ dataDir });
    try {
      return await verifyStore(store, keptSeals, 7);
    } finally {
      await store.close();
    }
  }

  const codes = (report: VerificationReport) => [...report.streamBreaks, ...report.logBreaks].map((b) => b.code);
  const first = (report: VerificationReport, streamId: string): Break | undefined => report.streamBreaks.find((b) => b.streamId === streamId);

  it('finds nothing wrong in an untouched store, and checks every seal and the kept ones', async () => {
    const report = await verifyNow(kept);

    expect(report).toMatchObject({ ok: true, events: 30, streams: 5, seals: { stored: 3, checked: 3, lastVerified: 3 }, streamBreaks: [], logBreaks: [] });
    expect(report.keptSeals).toEqual(kept.map((s) => ({ sequence: s.sequence, count: s.count, ok: true })));
    expect(report.head.merkleRoot).toBe(kept[2].merkleRoot);
  });

  it.each<[string, string, (db: Database.Database) => void, { stream?: [string, number, string]; log?: string[] }]>([
    ['a changed byte of data', 'data', (db) => db.prepare(`UPDATE events SET data = replace(data, '"n":2', '"n":3') WHERE stream_id = 'patient-SYN-T2' AND revision = 2`).run(), { stream: ['patient-SYN-T2', 2, 'DIGEST_MISMATCH'], log: ['SEAL_MISMATCH'] }],
    ['a changed byte of metadata', 'metadata', (db) => db.prepare(`UPDATE events SET metadata = replace(metadata, 'emitter-1', 'emitter-2') WHERE stream_id = 'patient-SYN-T4' AND revision = 0`).run(), { stream: ['patient-SYN-T4', 0, 'DIGEST_MISMATCH'], log: ['SEAL_MISMATCH'] }],
    ['a deleted row', 'delete', (db) => db.prepare(`DELETE FROM events WHERE stream_id = 'patient-SYN-T3' AND revision = 1`).run(), { stream: ['patient-SYN-T3', 2, 'REVISION_GAP'], log: ['SEAL_MISMATCH'] }],
    ['a recordedAt moved', 'recordedAt', (db) => db.prepare(`UPDATE events SET recorded_at = '2026-06-01T12:00:03.500Z' WHERE stream_id = 'patient-SYN-T1' AND revision = 1`).run(), { stream: ['patient-SYN-T1', 1, 'DIGEST_MISMATCH'], log: ['SEAL_MISMATCH'] }],
    ['a digest rewritten alone', 'digest', (db) => db.prepare(`UPDATE events SET digest = '${'a'.repeat(64)}' WHERE stream_id = 'patient-SYN-T5' AND revision = 5`).run(), { stream: ['patient-SYN-T5', 5, 'DIGEST_MISMATCH'] }],
  ])('%s is found at its stream and revision', async (_what, _key, edit, expected) => {
    const report = await tamper(edit);

    expect(report.ok).toBe(false);
    const [streamId, revision, code] = expected.stream!;
    expect(first(report, streamId)).toMatchObject({ code, streamId, revision });
    expect(report.streamBreaks).toHaveLength(1);
    for (const c of expected.log ?? []) expect(codes(report)).toContain(c);
  });

  it('finds a whole stream deleted through the seals that covered it', async () => {
    const report = await tamper((db) => db.prepare(`DELETE FROM events WHERE stream_id = 'patient-SYN-T3'`).run());

    expect(report.ok).toBe(false);
    expect(report.streamBreaks).toEqual([]);
    expect(report.logBreaks[0]).toMatchObject({ code: 'SEAL_MISMATCH', sequence: 1 });
    expect(report.logBreaks[0].message).toMatch(/removed or inserted/);
  });

  it('finds two rows swapped in the log, though each stream is intact', async () => {
    // Positions 1 and 2 are revision 0 of T1 and T2: swapping them keeps each stream's own order.
    const report = await tamper((db) => {
      db.prepare('UPDATE events SET position = -1 WHERE position = 1').run();
      db.prepare('UPDATE events SET position = 1 WHERE position = 2').run();
      db.prepare('UPDATE events SET position = 2 WHERE position = -1').run();
    });

    expect(report.streamBreaks).toEqual([]);
    expect(report.logBreaks.slice(0, 2)).toEqual([
      expect.objectContaining({ code: 'RECORDED_AT_BACKWARDS', position: 2 }),
      expect.objectContaining({ code: 'SEAL_MISMATCH', sequence: 1, message: expect.stringMatching(/changed, moved, removed or inserted/) }),
    ]);
  });

  it('finds a forged row whose digest the forger chained correctly by its recording time, earlier than the log before it', async () => {
    const forged = await tamper((db) => {
      const head = db.prepare(`SELECT * FROM events WHERE stream_id = 'patient-SYN-T2' ORDER BY revision DESC LIMIT 1`).get() as Row;
      const envelope = { streamId: head.stream_id, revision: head.revision + 1, eventId: '00000000-0000-4000-8000-0000000f0f0f', type: 'PatientDied', occurredOn: '2026-07-01', canonicalData: canonicalJson({ cause: 'INFECTION', treatmentRelated: false }), canonicalMetadata: canonicalJson({}), recordedAt: '2026-06-01T12:00:05.000Z' };
      db.prepare('INSERT INTO events (stream_id, revision, event_id, type, occurred_on, data, metadata, recorded_at, digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
        envelope.streamId, envelope.revision, envelope.eventId, envelope.type, envelope.occurredOn, envelope.canonicalData, envelope.canonicalMetadata, envelope.recordedAt, linkDigest(head.digest, envelope),
      );
    });
    expect(forged.streamBreaks).toEqual([]);
    expect(forged.logBreaks).toEqual([expect.objectContaining({ code: 'RECORDED_AT_BACKWARDS', streamId: 'patient-SYN-T2', revision: 6, position: 31 })]);
  });

  it('finds a forged row with a made-up digest inserted in a stream', async () => {
    const report = await tamper((db) =>
      db.prepare(`INSERT INTO events (stream_id, revision, event_id, type, occurred_on, data, metadata, recorded_at, digest) VALUES ('patient-SYN-T1', 6, 'forged', 'FollowUpRecorded', '2026-08-01', '{}', '{}', '2026-06-01T13:00:00.000Z', '${'b'.repeat(64)}')`).run(),
    );

    expect(first(report, 'patient-SYN-T1')).toMatchObject({ code: 'DIGEST_MISMATCH', revision: 6, position: 31 });
  });

  it('finds the tail truncated through the last seal, which covers more than the log holds', async () => {
    const report = await tamper((db) => db.prepare('DELETE FROM events WHERE position > 25').run());

    expect(report.streamBreaks).toEqual([]);
    expect(report.logBreaks).toEqual([expect.objectContaining({ code: 'SEAL_BEYOND_LOG', sequence: 3, expected: 30, found: 25 })]);
  });

  it('finds a seal edited in place', async () => {
    const edited = await tamper((db) => db.prepare(`UPDATE seals SET count = 11 WHERE sequence = 1`).run());
    expect(codes(edited)).toContain('SEAL_DIGEST_MISMATCH');
  });

  it('finds a seal removed from the chain', async () => {
    const removed = await tamper((db) => db.prepare('DELETE FROM seals WHERE sequence = 2').run());
    expect(removed.logBreaks).toEqual([expect.objectContaining({ code: 'SEAL_CHAIN_BROKEN', sequence: 3 })]);
  });

  it('passes a full consistent rewrite (digests and seals recomputed) on its own, and finds it against a kept seal', async () => {
    // Given a forger who changes one event, recomputes its stream's digests and re-seals the log
    const db = new Database(join(dataDir, EVENTS_FILE));
    db.prepare(`UPDATE events SET data = '{"n":1,"synthetic":true,"altered":true}' WHERE stream_id = 'patient-SYN-T2' AND revision = 1`).run();
    let previous = '';
    for (const row of db.prepare(`SELECT * FROM events WHERE stream_id = 'patient-SYN-T2' ORDER BY revision`).all() as Row[]) {
      previous = linkDigest(previous, { streamId: row.stream_id, revision: row.revision, eventId: row.event_id, type: row.type, occurredOn: row.occurred_on, canonicalData: canonicalJson(JSON.parse(row.data)), canonicalMetadata: canonicalJson(JSON.parse(row.metadata)), recordedAt: row.recorded_at });
      db.prepare('UPDATE events SET digest = ? WHERE position = ?').run(previous, row.position);
    }
    db.prepare('DELETE FROM seals').run();
    db.close();
    const store = await SqliteEventStore.open({ dataDir, clock: steppingClock('2026-06-02T00:00:00.000Z') });
    const resealer = new Sealer(store, steppingClock('2026-06-02T00:00:00.000Z'), { maxEvents: SEAL_EVERY, maxAgeMs: 60_000 });
    await resealer.start({ follow: false });
    await resealer.idle();
    await store.close();

    // Then the store alone checks out, and the seals the auditor kept do not
    expect(await verifyNow([])).toMatchObject({ ok: true, seals: { stored: 3, checked: 3 } });
    const report = await verifyNow([kept[0]]);
    expect(report.ok).toBe(false);
    expect(report.keptSeals).toEqual([{ sequence: 1, count: 10, ok: false }]);
    expect(codes(report)).toEqual(['KEPT_SEAL_REPLACED', 'KEPT_SEAL_MISMATCH']);
  });

  it('refuses a kept seal that was itself altered', async () => {
    const report = await verifyNow([{ ...kept[1], merkleRoot: 'c'.repeat(64) }]);

    expect(codes(report)).toContain('KEPT_SEAL_ALTERED');
  });
});
