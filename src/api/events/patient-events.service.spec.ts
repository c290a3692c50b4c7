import type { Caller } from '../../common/auth/api-keys';
import { ProblemError } from '../../common/problem/problem';
import type { ClinicalEvent } from '../../domain/events/clinical-event';
import { chemoStarted, enrolled, followUp, gpbmcInfused, stemCellsInfused } from '../../domain/testing/journey.fixtures';
import { WrongExpectedRevisionError } from '../../event-store/event-store.errors';
import type { AppendResult, EventStore, EventToAppend, ExpectedRevision, StoredEvent } from '../../event-store/event-store.port';
import { patientStreamId } from '../../event-store/patient-stream';
import { MAX_QUEUED_APPENDS_PER_STREAM, PatientEventsService, type AppendOutcome } from './patient-events.service';
import { StreamStateCache } from './stream-state.cache';

const SUBJECT = 'SYN-UNIT-0001';
const EMITTER: Caller = { keyId: 'emitter-unit', role: 'emitter' };

/** The part of the port the append path uses, in memory; `beforeAppend` lets a test slip another writer in. */
class MemoryStore {
  private readonly streams = new Map<string, StoredEvent[]>();
  private position = 0;
  private tick = 0;
  beforeAppend: (() => Promise<void>) | null = null;

  async readStream(streamId: string, options: { fromRevision?: number } = {}): Promise<StoredEvent[]> {
    return (this.streams.get(streamId) ?? []).slice(options.fromRevision ?? 0);
  }

  async append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    const hook = this.beforeAppend;
    this.beforeAppend = null;
    if (hook) await hook();
    const stream = this.streams.get(streamId) ?? [];
    const actual = stream.length > 0 ? stream.length - 1 : null;
    if (expected === 'no_stream' ? actual !== null : typeof expected === 'number' && expected !== actual) {
      throw new WrongExpectedRevisionError(streamId, expected, actual);
    }
    const added = events.map((e, i): StoredEvent => ({
      ...e,
      streamId,
      revision: stream.length + i,
      position: this.position++,
      recordedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, this.tick++)).toISOString(),
    }));
    this.streams.set(streamId, [...stream, ...added]);
    return { nextExpectedRevision: stream.length + added.length - 1, events: added.map(({ eventId, revision, position, recordedAt }) => ({ eventId, revision, position, recordedAt })) };
  }
}

/** The answer, or the problem's status and code. */
async function outcomeOf(promise: Promise<AppendOutcome>): Promise<AppendOutcome | { status: number; code: string }> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof ProblemError) return { status: error.status, code: error.code };
    throw error;
  }
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('PatientEventsService.append: If-Match and idempotency', () => {
  let store: MemoryStore;
  let service: PatientEventsService;
  /** Another process writing to the same store: appends of one process to a stream are serialised, so only it can race this one. */
  let otherProcess: PatientEventsService;
  const append = (body: unknown, ifMatch: number | null) => outcomeOf(service.append(SUBJECT, clone(body), ifMatch, EMITTER));
  const appendElsewhere = (body: unknown, ifMatch: number | null) => outcomeOf(otherProcess.append(SUBJECT, clone(body), ifMatch, EMITTER));

  beforeEach(() => {
    store = new MemoryStore();
    const clock = { now: () => new Date('2026-06-01T12:00:00.000Z') };
    // Each service is a process of its own: its own stream cache over the one store.
    service = new PatientEventsService(store as unknown as EventStore, clock, new StreamStateCache(store as unknown as EventStore));
    otherProcess = new PatientEventsService(store as unknown as EventStore, clock, new StreamStateCache(store as unknown as EventStore));
  });

  /** Given an enrolled patient (revision 0) and `original` appended with If-Match 0, then `later` appended one by one. */
  async function given(original: ClinicalEvent | ClinicalEvent[], later: readonly ClinicalEvent[] = []): Promise<AppendOutcome> {
    expect(await append(enrolled('2026-01-05'), null)).toMatchObject({ status: 201 });
    const first = await append(original, 0);
    expect(first).toMatchObject({ status: 201 });
    for (const event of later) expect(await append(event, null)).toMatchObject({ status: 201 });
    return first as AppendOutcome;
  }

  describe('an exact repeat answers 200 with the original result, whatever If-Match says', () => {
    const single = () => gpbmcInfused('2026-01-20');
    const batch = () => [gpbmcInfused('2026-01-20'), stemCellsInfused('2026-02-27')];
    const cases: Array<[name: string, original: () => ClinicalEvent | ClinicalEvent[], later: () => ClinicalEvent[], ifMatch: number | null]> = [
      ['a single event, with the If-Match of the original', single, () => [], 0],
      ['a single event, with the current revision', single, () => [], 1],
      ['a single event, without If-Match', single, () => [], null],
      ['a single event, with a revision the stream never had', single, () => [], 41],
      ['a single event, after the stream moved on', single, () => [chemoStarted('2026-01-08'), followUp('2026-01-21')], 0],
      ['a batch, with the If-Match of the original', batch, () => [], 0],
      ['a batch, with the current revision', batch, () => [], 2],
      ['a batch, after the stream moved on', batch, () => [followUp('2026-03-01')], 0],
    ];

    it.each(cases)('given %s', async (_name, original, later, ifMatch) => {
      const body = original();
      const first = await given(body, later());
      expect(first.body.deviations.length).toBeGreaterThan(0);
      const streamBefore = await store.readStream(patientStreamId(SUBJECT));

      const retry = await append(body, ifMatch);

      expect(retry).toEqual({ status: 200, body: first.body });
      expect(await store.readStream(patientStreamId(SUBJECT))).toEqual(streamBefore);
    });
  });

  describe('anything else keeps the order If-Match (409), then idempotency (409)', () => {
    const cases: Array<[name: string, body: (stored: ClinicalEvent) => unknown, ifMatch: number | null, code: string]> = [
      ['a stored id with other content, stale If-Match', (e) => ({ ...e, occurredOn: '2026-01-21' }), 0, 'REVISION_CONFLICT'],
      ['a stored id with other content, current If-Match', (e) => ({ ...e, occurredOn: '2026-01-21' }), 1, 'EVENT_ID_REUSED'],
      ['a stored id with other content, no If-Match', (e) => ({ ...e, occurredOn: '2026-01-21' }), null, 'EVENT_ID_REUSED'],
      ['a new event, stale If-Match', () => followUp('2026-01-22'), 0, 'REVISION_CONFLICT'],
      ['a batch partly stored, stale If-Match', (e) => [e, followUp('2026-01-22')], 0, 'REVISION_CONFLICT'],
      ['a batch partly stored, current If-Match', (e) => [e, followUp('2026-01-22')], 1, 'BATCH_PARTLY_STORED'],
    ];

    it.each(cases)('given %s, then 409 %s', async (_name, body, ifMatch, code) => {
      const original = gpbmcInfused('2026-01-20');
      await given(original);
      expect(await append(body(original), ifMatch)).toEqual({ status: 409, code });
    });
  });

  describe('a retry racing its original in another process', () => {
    it('answers 200 with the original result when the original lands first', async () => {
      expect(await append(enrolled('2026-01-05'), null)).toMatchObject({ status: 201 });
      const event = gpbmcInfused('2026-01-20');
      let original: AppendOutcome | undefined;
      store.beforeAppend = async () => {
        original = (await appendElsewhere(event, 0)) as AppendOutcome;
      };

      const retry = await append(event, 0);

      expect(original).toMatchObject({ status: 201 });
      expect(retry).toEqual({ status: 200, body: original!.body });
      expect((await store.readStream(patientStreamId(SUBJECT))).map((e) => e.eventId)).toHaveLength(2);
    });

    it('without If-Match decides again over what the other process stored, and is stored after it', async () => {
      expect(await append(enrolled('2026-01-05'), null)).toMatchObject({ status: 201 });
      store.beforeAppend = async () => {
        expect(await appendElsewhere(chemoStarted('2026-01-08'), null)).toMatchObject({ status: 201 });
      };

      expect(await append(gpbmcInfused('2026-01-20'), null)).toMatchObject({ status: 201, body: { events: [{ revision: 2 }] } });
      expect((await store.readStream(patientStreamId(SUBJECT))).map((e) => e.type)).toEqual(['PatientEnrolled', 'ChemotherapyStarted', 'GpbmcInfused']);
    });

    it('still answers 409 REVISION_CONFLICT when another event lands first', async () => {
      expect(await append(enrolled('2026-01-05'), null)).toMatchObject({ status: 201 });
      store.beforeAppend = async () => {
        expect(await appendElsewhere(chemoStarted('2026-01-08'), 0)).toMatchObject({ status: 201 });
      };
      expect(await append(gpbmcInfused('2026-01-20'), 0)).toEqual({ status: 409, code: 'REVISION_CONFLICT' });
    });
  });
});

describe('PatientEventsService.append: one queue per stream', () => {
  it(`refuses the append after ${MAX_QUEUED_APPENDS_PER_STREAM} waiting on one stream with 503 and Retry-After, storing nothing of it, while other streams go on`, async () => {
    // Given a store whose next append waits until the test releases it
    const store = new MemoryStore();
    const service = new PatientEventsService(store as unknown as EventStore, { now: () => new Date('2026-06-01T12:00:00.000Z') }, new StreamStateCache(store as unknown as EventStore));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    store.beforeAppend = () => held;
    const queued = Array.from({ length: MAX_QUEUED_APPENDS_PER_STREAM }, (_, i) => outcomeOf(service.append(SUBJECT, i === 0 ? enrolled('2026-01-05') : followUp('2026-01-06'), null, EMITTER)));

    // When one more comes for that patient, and one for another
    const refused = service.append(SUBJECT, followUp('2026-01-07'), null, EMITTER).catch((error: unknown) => error);
    const other = outcomeOf(service.append('SYN-UNIT-0002', enrolled('2026-01-05'), null, EMITTER));

    // Then that one is 503 STREAM_BUSY with Retry-After, the other patient is stored, and the queue drains in full once released
    expect(await refused).toMatchObject({ status: 503, code: 'STREAM_BUSY', headers: { 'retry-after': '1' } });
    expect(await other).toMatchObject({ status: 201 });
    release();
    expect((await Promise.all(queued)).map((o) => o.status)).toEqual(queued.map(() => 201));
    expect(await store.readStream(patientStreamId(SUBJECT))).toHaveLength(MAX_QUEUED_APPENDS_PER_STREAM);
  });
});
