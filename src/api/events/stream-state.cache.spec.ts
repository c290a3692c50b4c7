import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Caller } from '../../common/auth/api-keys';
import { ProblemError } from '../../common/problem/problem';
import { basisOf } from '../../domain/decide/decision-basis';
import { corrected, died, enrolled, followUp, gpbmcInfused, stemCellsInfused, voided } from '../../domain/testing/journey.fixtures';
import type { EventToAppend } from '../../event-store/event-store.port';
import { patientStreamId, toHistoryEntry } from '../../event-store/patient-stream';
import { SqliteEventStore } from '../../event-store/sqlite/sqlite-event-store';
import { PatientEventsService, type AppendOutcome } from './patient-events.service';
import { StreamStateCache } from './stream-state.cache';

// Synthetic patients only.
const SUBJECT = 'SYN-CACHE-0001';
const STREAM = patientStreamId(SUBJECT);
const EMITTER: Caller = { keyId: 'emitter-unit', role: 'emitter' };
const NOW = () => new Date('2026-06-01T12:00:00.000Z');

const toAppend = (e: { eventId: string; type: string; occurredOn?: string; data: unknown }, extra: object = {}): EventToAppend => ({
  eventId: e.eventId, type: e.type, occurredOn: e.occurredOn ?? null, data: e.data, metadata: { source: 'SYNTHETIC', ...extra },
});

async function outcomeOf(promise: Promise<AppendOutcome>): Promise<AppendOutcome | { status: number; code: string }> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof ProblemError) return { status: error.status, code: error.code };
    throw error;
  }
}

let dir: string;
let store: SqliteEventStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stream-cache-'));
  store = await SqliteEventStore.open({ dataDir: dir, clock: NOW });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('StreamStateCache', () => {
  it('given appends recorded through it, holds exactly what reading the stream from the store gives', async () => {
    const cache = new StreamStateCache(store);
    let state = await cache.load(STREAM);
    expect(state).toMatchObject({ revision: null, confirmed: true });
    // undefined fields vanish in JSON, as they do in the store.
    const batches: EventToAppend[][] = [
      [toAppend(enrolled('2026-01-05'), { note: undefined })],
      [toAppend(gpbmcInfused('2026-01-20')), toAppend(followUp('2026-01-25'))],
      [toAppend(followUp('2026-02-01'))],
    ];
    for (const batch of batches) {
      const result = await store.append(STREAM, batch, state.revision ?? 'no_stream');
      cache.appended(state, batch, result);
      state = await cache.load(STREAM);
      expect(state.confirmed).toBe(false);
    }
    const fromStore = await store.readStream(STREAM);
    expect(state.revision).toBe(3);
    // The chain digest the store computed is left to the store: audit views read it from there, and no rule reads it.
    expect(state.events()).toEqual(fromStore.map(({ digest: _digest, ...event }) => event));
    expect(state.history()).toEqual(fromStore.map(toHistoryEntry));
    expect(state.basis).toEqual(basisOf(fromStore.map(toHistoryEntry)));
    const { digest: _digest, ...third } = fromStore[2];
    expect(state.eventById(third.eventId)).toEqual(third);
  });

  it('hands out states frozen at their revision: later appends do not show through', async () => {
    const cache = new StreamStateCache(store);
    const empty = await cache.load(STREAM);
    const first = [toAppend(enrolled('2026-01-05'))];
    cache.appended(empty, first, await store.append(STREAM, first, 'no_stream'));
    const before = await cache.load(STREAM);
    const next = [toAppend(followUp('2026-02-01'))];
    cache.appended(before, next, await store.append(STREAM, next, 0));

    expect(before.revision).toBe(0);
    expect(before.events()).toHaveLength(1);
    expect(before.history()).toHaveLength(1);
    expect(before.eventById(next[0].eventId)).toBeUndefined();
    expect((await cache.load(STREAM)).events()).toHaveLength(2);
  });

  it('given a write it did not see, refresh reads only the newer events and load does not ask the store', async () => {
    const cache = new StreamStateCache(store);
    const opening = [toAppend(enrolled('2026-01-05'))];
    await store.append(STREAM, opening, 'no_stream');
    expect((await cache.load(STREAM)).revision).toBe(0);
    await store.append(STREAM, [toAppend(followUp('2026-02-01'))], 0); // another instance

    expect((await cache.load(STREAM)).revision).toBe(0);
    const reads = jest.spyOn(store, 'readStream');
    const fresh = await cache.refresh(STREAM);
    expect(fresh).toMatchObject({ revision: 1, confirmed: true });
    expect(reads).toHaveBeenCalledWith(STREAM, { fromRevision: 1 });
    expect(fresh.events()).toEqual(await store.readStream(STREAM));
  });

  it('keeps to its budget of events, least recently used streams leaving first, and never holds a stream that does not exist', async () => {
    const cache = new StreamStateCache(store, 5);
    for (const n of [1, 2, 3]) {
      await store.append(patientStreamId(`SYN-CACHE-B${n}`), [toAppend(enrolled('2026-01-05')), toAppend(followUp('2026-02-01'))], 'no_stream');
    }
    await cache.load(patientStreamId('SYN-CACHE-B1'));
    await cache.load(patientStreamId('SYN-CACHE-B2'));
    await cache.load(patientStreamId('SYN-CACHE-B1'));
    await cache.load(patientStreamId('SYN-CACHE-B3'));
    await cache.load(patientStreamId('SYN-CACHE-NOBODY'));
    expect(cache.size).toBe(4);

    const reads = jest.spyOn(store, 'readStream');
    expect((await cache.load(patientStreamId('SYN-CACHE-B1'))).confirmed).toBe(false);
    expect((await cache.load(patientStreamId('SYN-CACHE-B2'))).confirmed).toBe(true);
    expect(reads).toHaveBeenCalledTimes(1);
  });
});

describe('two service instances on one store, each with its own cache (a write through another instance)', () => {
  let a: PatientEventsService;
  let b: PatientEventsService;
  const append = (service: PatientEventsService, body: unknown, ifMatch: number | null = null) =>
    outcomeOf(service.append(SUBJECT, JSON.parse(JSON.stringify(body)), ifMatch, EMITTER));

  beforeEach(async () => {
    a = new PatientEventsService(store, { now: NOW }, new StreamStateCache(store));
    b = new PatientEventsService(store, { now: NOW }, new StreamStateCache(store));
    expect(await append(a, enrolled('2026-01-05'))).toMatchObject({ status: 201 });
    expect(await append(b, gpbmcInfused('2026-01-20'))).toMatchObject({ status: 201 }); // b now holds revision 1
  });

  it('appends after the other instance\'s event, never over it', async () => {
    expect(await append(a, followUp('2026-02-01'))).toMatchObject({ status: 201, body: { events: [{ revision: 2 }] } });
    expect(await append(b, followUp('2026-02-02'))).toMatchObject({ status: 201, body: { events: [{ revision: 3 }] } });
    expect((await store.readStream(STREAM)).map((e) => e.revision)).toEqual([0, 1, 2, 3]);
  });

  it('refuses what the other instance\'s event forbids, though its own memory would allow it', async () => {
    expect(await append(a, died('2026-03-01'))).toMatchObject({ status: 201 });
    expect(await append(b, followUp('2026-03-05'))).toEqual({ status: 422, code: 'CLINICAL_RULE_BROKEN' });
    expect(await store.readStream(STREAM)).toHaveLength(3);
  });

  it('takes what the other instance\'s event allows, though its own memory would refuse it', async () => {
    const day0 = stemCellsInfused('2026-02-27');
    expect(await append(a, day0)).toMatchObject({ status: 201 });
    // b holds no Day 0 to correct, and an If-Match of 2 it has not seen.
    expect(await append(b, corrected(day0, { occurredOn: '2026-02-26' }, 'date'), 2)).toMatchObject({ status: 201, body: { events: [{ revision: 3 }] } });
    expect(await append(b, voided(day0), 3)).toMatchObject({ status: 201, body: { events: [{ revision: 4 }] } });
  });

  it('answers an exact repeat of the other instance\'s append with 200, storing nothing', async () => {
    const event = followUp('2026-02-01');
    const first = await append(a, event);
    expect(await append(b, event)).toEqual(first && { ...first, status: 200 });
    expect(await store.readStream(STREAM)).toHaveLength(3);
  });
});
