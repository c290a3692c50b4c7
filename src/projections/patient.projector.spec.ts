import type Database from 'better-sqlite3';
import { throwError } from 'rxjs';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClinicalEvent } from '../domain/events/clinical-event';
import { arbJourney, withOwnIds } from '../domain/testing/journey.fixtures';
import { StoreUnavailableError } from '../event-store/event-store.errors';
import { patientStreamId } from '../event-store/patient-stream';
import { SqliteEventStore } from '../event-store/sqlite/sqlite-event-store';
import { PatientProjector } from './patient.projector';
import { openReadModelDatabase } from './read-model.database';


/** Appends the patients' events one append at a time, interleaved in the order `picks` draws. */
async function appendInterleaved(store: SqliteEventStore, patients: ClinicalEvent[][], picks: number[]): Promise<void> {
  const next = patients.map(() => 0);
  let pick = 0;
  for (;;) {
    const open = patients.map((events, p) => (next[p] < events.length ? p : -1)).filter((p) => p >= 0);
    if (open.length === 0) return;
    const p = open[picks[pick++ % picks.length] % open.length];
    const event = patients[p][next[p]];
    await store.append(
      patientStreamId(`SYN-P${p}`),
      [{ eventId: event.eventId, type: event.type, occurredOn: 'occurredOn' in event ? event.occurredOn : null, data: event.data, metadata: {} }],
      next[p] === 0 ? 'no_stream' : next[p] - 1,
    );
    next[p]++;
  }
}

const rows = (db: Database.Database) => ({
  patients: db.prepare('SELECT * FROM patient ORDER BY subject_id').all(),
  facts: db.prepare('SELECT * FROM patient_facts ORDER BY subject_id').all(),
});
const revisions = (db: Database.Database) => db.prepare('SELECT subject_id, revision, dirty FROM patient ORDER BY subject_id').all();

describe('PatientProjector', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'projector-'));
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  // A budget of 3 events sends nearly every fold to the store and folds patients as they leave the cache.
  it.each([
    ['the default cache', undefined],
    ['a cache of 3 events', 3],
  ])('gives the same rows live, after a catch-up from a fresh read model, and after a rebuild, with %s', async (_name, cacheBudget) => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbJourney(), { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { minLength: 1, maxLength: 50 }), async (journeys, picks) => {
        const dir = mkdtempSync(join(dataDir, 'run-'));
        const store = await SqliteEventStore.open({ dataDir: dir });
        const liveDb = openReadModelDatabase(null);
        const live = new PatientProjector(store, liveDb, { cacheBudget });
        await live.onApplicationBootstrap();
        try {
          // Given patients whose events arrive interleaved, while the projector follows the log
          await appendInterleaved(store, journeys.map((j, p) => withOwnIds(j.events, 100 + p)), picks);
          await live.catchUp();
          const liveRows = rows(liveDb);
          expect(liveRows.patients).toHaveLength(journeys.length);
          expect(liveRows.patients.every((r: any) => r.dirty === 0)).toBe(true);

          // When another read model catches up from position 0, and the live one is rebuilt
          const freshDb = openReadModelDatabase(null);
          const fresh = new PatientProjector(store, freshDb, { cacheBudget });
          await fresh.onApplicationBootstrap();
          await fresh.catchUp();
          const rebuilt = await live.rebuild();

          // Then every row is the same
          expect(rows(freshDb)).toEqual(liveRows);
          expect(rows(liveDb)).toEqual(liveRows);
          expect(rebuilt).toMatchObject({ caughtUp: true, state: 'running' });
          fresh.stop();
          freshDb.close();
        } finally {
          live.stop();
          liveDb.close();
          await store.close();
        }
      }),
      { numRuns: 15 },
    );
  });

  it('resumes from its checkpoint after a restart, applying each event exactly once', async () => {
    const store = await SqliteEventStore.open({ dataDir });
    const readModelDir = join(dataDir, 'read-model');
    const [first, second] = fc.sample(arbJourney(), { numRuns: 2, seed: 7 }).map((j, p) => withOwnIds(j.events, 100 + p));
    const half = Math.ceil(first.length / 2);
    try {
      // Given a projector that stopped after half of one patient's events
      let db = openReadModelDatabase(readModelDir);
      let projector = new PatientProjector(store, db);
      await projector.onApplicationBootstrap();
      await appendInterleaved(store, [first.slice(0, half)], [0]);
      await projector.catchUp();
      const checkpoint = projector.checkpoint();
      projector.stop();
      db.close();

      // When more events arrive while it is down, and it starts again on the same file
      for (const [i, event] of first.slice(half).entries()) {
        await store.append(patientStreamId('SYN-P0'), [{ eventId: event.eventId, type: event.type, occurredOn: 'occurredOn' in event ? event.occurredOn : null, data: event.data, metadata: {} }], half + i - 1);
      }
      await appendInterleaved(store, [[], second], [1]);
      db = openReadModelDatabase(readModelDir);
      projector = new PatientProjector(store, db);
      expect(projector.checkpoint()).toBe(checkpoint);
      await projector.onApplicationBootstrap();
      await projector.catchUp();
      const resumed = rows(db);

      // Then every patient is folded up to its last event, exactly as a rebuild from position 0 does
      expect(revisions(db)).toEqual([
        { subject_id: 'SYN-P0', revision: first.length - 1, dirty: 0 },
        { subject_id: 'SYN-P1', revision: second.length - 1, dirty: 0 },
      ]);
      await projector.rebuild();
      expect(rows(db)).toEqual(resumed);
      projector.stop();
      db.close();
    } finally {
      await store.close();
    }
  });

  it('folds again later when a patient stream cannot be read back, and then catches up', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const store = await SqliteEventStore.open({ dataDir });
    const readModelDir = join(dataDir, 'read-model');
    const [journey] = fc.sample(arbJourney(), { numRuns: 1, seed: 13 });
    const events = withOwnIds(journey.events, 100);
    const half = Math.ceil(events.length / 2);
    let db = openReadModelDatabase(readModelDir);
    let projector = new PatientProjector(store, db);
    try {
      // Given a projector that stopped after the first half of a patient's events, and the rest appended meanwhile
      await projector.onApplicationBootstrap();
      await appendInterleaved(store, [events.slice(0, half)], [0]);
      await projector.catchUp();
      projector.stop();
      db.close();
      for (const [i, event] of events.slice(half).entries()) {
        await store.append(patientStreamId('SYN-P0'), [{ eventId: event.eventId, type: event.type, occurredOn: 'occurredOn' in event ? event.occurredOn : null, data: event.data, metadata: {} }], half + i - 1);
      }

      // When it starts again and the first read of the patient's stream fails (its early events are not in memory)
      let failures = 1;
      const flaky = Object.assign(Object.create(store) as SqliteEventStore, {
        readStream: (streamId: string, options?: { fromRevision?: number; maxCount?: number }) =>
          failures-- > 0 ? Promise.reject(new StoreUnavailableError('the event store is gone')) : store.readStream(streamId, options),
      });
      db = openReadModelDatabase(readModelDir);
      projector = new PatientProjector(flaky, db);
      await projector.onApplicationBootstrap();
      const caughtUp = projector.catchUp();
      await jest.advanceTimersByTimeAsync(0);
      for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
      expect(await projector.status()).toMatchObject({ state: 'failed', error: 'the event store is gone' });
      expect(revisions(db)).toEqual([{ subject_id: 'SYN-P0', revision: events.length - 1, dirty: 1 }]);

      // Then after the wait it folds the patient and catches up
      jest.advanceTimersByTime(1000);
      await caughtUp;
      expect(await projector.status()).toMatchObject({ state: 'running', caughtUp: true });
      expect(revisions(db)).toEqual([{ subject_id: 'SYN-P0', revision: events.length - 1, dirty: 0 }]);
    } finally {
      projector.stop();
      jest.useRealTimers();
      db.close();
      await store.close();
    }
  });

  it('resubscribes from its checkpoint after the subscription fails for good', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const store = await SqliteEventStore.open({ dataDir });
    const db = openReadModelDatabase(null);
    let failures = 1;
    // The store as the projector sees it: the first subscription fails, as an EventStoreDB away through every retry would.
    const flaky = Object.assign(Object.create(store) as SqliteEventStore, {
      subscribeToAll: (options?: { after?: number }) =>
        failures-- > 0 ? throwError(() => new StoreUnavailableError('the event store is gone')) : store.subscribeToAll(options),
    });
    const projector = new PatientProjector(flaky, db);
    try {
      const [journey] = fc.sample(arbJourney(), { numRuns: 1, seed: 11 });
      await appendInterleaved(store, [withOwnIds(journey.events, 100)], [0]);

      await projector.onApplicationBootstrap();
      expect(await projector.status()).toMatchObject({ state: 'failed', error: 'the event store is gone', caughtUp: false });

      jest.advanceTimersByTime(1000);
      await projector.catchUp();

      expect(await projector.status()).toMatchObject({ state: 'running', caughtUp: true });
      expect(revisions(db)).toEqual([{ subject_id: 'SYN-P0', revision: journey.events.length - 1, dirty: 0 }]);
    } finally {
      projector.stop();
      jest.useRealTimers();
      db.close();
      await store.close();
    }
  });

  it('started on a full disk (a restart while still full), stays up failed, and catches up once it has room again', async () => {
    const store = await SqliteEventStore.open({ dataDir });
    const db = openReadModelDatabase(null);
    const projector = new PatientProjector(store, db);
    try {
      const journeys = fc.sample(arbJourney(), { numRuns: 8, seed: 12 });
      await appendInterleaved(store, journeys.map((journey, p) => withOwnIds(journey.events, 200 + p)), [0]);
      // Given a read model that can grow no more (max_page_count raises SQLITE_FULL as a full disk does).
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);

      await projector.onApplicationBootstrap();
      const caughtUp = projector.catchUp();
      for (let i = 0; i < 50 && (await projector.status()).fault === undefined; i++) await new Promise((resolve) => setImmediate(resolve));

      expect(await projector.status()).toMatchObject({ state: 'failed', fault: 'storage-full', caughtUp: false });
      expect(projector.retryNow()).toBe(false);
      db.pragma('max_page_count = 1000000');
      expect(projector.retryNow()).toBe(true);
      await caughtUp;
      expect(await projector.status()).toMatchObject({ state: 'running', caughtUp: true });
      expect(revisions(db)).toEqual(journeys.map((journey, p) => ({ subject_id: `SYN-P${p}`, revision: journey.events.length - 1, dirty: 0 })));
    } finally {
      projector.stop();
      db.close();
      await store.close();
    }
  });
});
