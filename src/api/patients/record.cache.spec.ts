import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDays } from '../../domain/calendar/clinical-date';
import type { ClinicalEvent, ClinicalFact } from '../../domain/events/clinical-event';
import { arbJourney, corrected, voided } from '../../domain/testing/journey.fixtures';
import { patientStreamId } from '../../event-store/patient-stream';
import { SqliteEventStore } from '../../event-store/sqlite/sqlite-event-store';
import { CohortIndex } from '../../projections/cohort-index';
import { PatientProjector } from '../../projections/patient.projector';
import { openReadModelDatabase } from '../../projections/read-model.database';
import { StreamStateCache } from '../events/stream-state.cache';
import { PatientsService, timelineOf } from './patients.service';
import { notModified, RecordCache, viewKey, viewOf } from './record.cache';

/** A clock that moves one millisecond per reading, so every append has its own recordedAt. */
function tickingClock(start: string) {
  let t = Date.parse(start);
  return { now: () => new Date(t++) };
}

function toAppend(event: ClinicalEvent) {
  return { eventId: event.eventId, type: event.type, occurredOn: 'occurredOn' in event ? event.occurredOn : null, data: event.data, metadata: {} };
}

/** The answer of a read, or the problem it raised, as a client would compare them. */
async function answer(read: () => Promise<unknown>): Promise<unknown> {
  try {
    const value = await read();
    return { ok: typeof value === 'string' ? JSON.parse(value) : JSON.parse(JSON.stringify(value)) };
  } catch (error) {
    return { problem: (error as { code?: string }).code ?? String(error) };
  }
}

describe('RecordCache', () => {
  it('keeps to its byte budget, least recently used views leaving first', () => {
    const body = { text: 'x'.repeat(90) }; // 101 bytes of JSON
    const cache = new RecordCache(250);
    cache.put('a', body, 'SYN-1', 0);
    cache.put('b', body, 'SYN-1', 1);
    cache.get('a');
    cache.put('c', body, 'SYN-1', 2);
    expect([cache.get('a'), cache.get('b'), cache.get('c')].map((v) => v !== undefined)).toEqual([true, false, true]);
  });

  it('gives equal bytes equal validators, and other bytes another', () => {
    expect(viewOf({ a: 1 }).etag).toBe(viewOf({ a: 1 }).etag);
    expect(viewOf({ a: 1 }).etag).not.toBe(viewOf({ a: 2 }).etag);
    expect(viewOf({ a: 1 }).etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
  });

  it.each([
    [undefined, false],
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ['*', true],
    ['"ab"', false],
    ['abc', false],
  ])('If-None-Match %s matches "abc": %s', (header, expected) => {
    expect(notModified(header, '"abc"')).toBe(expected);
  });

  it('keys views by kind, subject, revision, date and recording-time cut, none running into another', () => {
    const keys = [
      viewKey('record', 'SYN-1', 3, '2026-01-01', null),
      viewKey('timeline', 'SYN-1', 3, '2026-01-01', null),
      viewKey('record', 'SYN-1', 4, '2026-01-01', null),
      viewKey('record', 'SYN-1', 3, '2026-01-02', null),
      viewKey('record', 'SYN-1', 3, '2026-01-01', '2026-01-01T00:00:00.000Z'),
      viewKey('record', 'SYN-13', 3, '2026-01-01', null),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('cached and uncached reads over random histories', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'record-cache-'));
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A journey with corrections and voids of its facts slipped in, appended one event at a time. */
  const arbStream = arbJourney().chain((journey) => {
    const facts = journey.events.filter((e): e is ClinicalFact => 'occurredOn' in e);
    const change = fc.tuple(fc.nat(), fc.boolean(), fc.integer({ min: -30, max: 30 }), fc.nat());
    return fc.record({
      changes: fc.array(change, { maxLength: 3 }),
      reads: fc.array(fc.tuple(fc.integer({ min: -60, max: 400 }), fc.option(fc.nat(), { nil: null }), fc.boolean()), { minLength: 1, maxLength: 4 }),
    }).map(({ changes, reads }) => {
      const events: ClinicalEvent[] = [...journey.events];
      changes.forEach(([k, isVoid, shift, at], i) => {
        const target = facts[1 + (k % Math.max(1, facts.length - 1))] ?? facts[0];
        const id = `00c0ffee-0000-4000-8000-${String(i + 1).padStart(12, '0')}`;
        const change = isVoid ? voided(target, 'entered in error', id) : corrected(target, { occurredOn: addDays(target.occurredOn, shift) }, 'date', id);
        const after = events.indexOf(target) + 1;
        events.splice(after + (at % (events.length - after + 1)), 0, change);
      });
      return { events, reads, firstDate: facts[0].occurredOn };
    });
  });

  it('answers every read, at every revision, date and recording-time cut, as folding the stream read from the store does', async () => {
    await fc.assert(
      fc.asyncProperty(arbStream, async ({ events, reads, firstDate }) => {
        const dir = mkdtempSync(join(dataDir, 'run-'));
        const clock = tickingClock('2030-01-01T00:00:00.000Z');
        const store = await SqliteEventStore.open({ dataDir: dir, clock: () => clock.now() });
        const db = openReadModelDatabase(null);
        try {
          // One cache for the whole history, so views made at earlier revisions are there to be served wrongly.
          const service = new PatientsService(store, db, { now: () => new Date('2030-06-01T00:00:00.000Z') }, new CohortIndex(db, new PatientProjector(store, db)), new StreamStateCache(store, 50), new RecordCache(200_000));
          const recordedAt: string[] = [];
          for (const [revision, event] of events.entries()) {
            // Corrections and voids that break rules are stored too: the reads must agree on any stream.
            const result = await store.append(patientStreamId('SYN-RC'), [toAppend(event)], revision === 0 ? 'no_stream' : revision - 1);
            recordedAt.push(result.events[0].recordedAt);
            for (const [days, cut, timeline] of reads) {
              const asOf = addDays(firstDate, days);
              const cutAt = cut === null ? null : new Date(Date.parse(recordedAt[cut % recordedAt.length]) + (cut % 2)).toISOString();
              const kind = timeline ? 'timeline' : 'record';
              // The same date with and without the cut, so a view of one is there to be served for the other.
              for (const before of [null, cutAt]) {
                const cached = await answer(async () => (await service.recordView(kind, 'SYN-RC', asOf, before)).json);
                const uncached = await answer(async () => {
                  const record = await service.record('SYN-RC', asOf, before);
                  return timeline ? timelineOf(record) : record;
                });
                expect(cached).toEqual(uncached);
              }
            }
          }
        } finally {
          db.close();
          await store.close();
        }
      }),
      { numRuns: 30 },
    );
  });
});
