/**
 * The auditors' routes end to end on the embedded SQLite store (SYNTHETIC patients only):
 * seals kept and verified against, subjects paged, a patient's change trail, who an event
 * was entered for, and the live feed resumed after a disconnect.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { SealingLifecycle } from '../src/audit/audit.providers';
import { chemoStarted, conditioningStarted, corrected, enrolled, followUp, stemCellsInfused, voided } from '../src/domain/testing/journey.fixtures';
import { startTestApp, TEST_KEYS, type TestApp } from './support/test-app';

const by = (userId: string, site?: string) => ({ metadata: { source: 'EDC-SYN', enteredBy: { userId, ...(site ? { site } : {}) } } });

describe('auditors', () => {
  let t: TestApp;
  const post = async (subjectId: string, body: unknown) => t.request({ method: 'POST', url: `/v1/patients/${subjectId}/events`, role: 'emitter', body });
  const get = async (url: string, role: 'auditor' | 'reporter' | 'emitter' = 'auditor') => t.request({ method: 'GET', url, role });

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-06-01T12:00:00.000Z' });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('change trail and enteredBy', () => {
    const subjectId = 'SYN-TRAIL-1';
    const day0 = stemCellsInfused('2026-03-01');

    beforeAll(async () => {
      expect((await post(subjectId, [{ ...enrolled('2026-01-05'), ...by('crc-0042', 'SITE-01') }, chemoStarted('2026-01-08'), conditioningStarted('2026-02-22'), day0])).status).toBe(201);
      t.clock.advance(3_600_000);
      expect((await post(subjectId, { ...corrected(day0, { occurredOn: '2026-03-02' }, 'infusion started after midnight'), ...by('dm-7', 'SITE-01') })).status).toBe(201);
      const fu = followUp('2026-04-01');
      expect((await post(subjectId, fu)).status).toBe(201);
      expect((await post(subjectId, voided(fu, 'entered for the wrong patient'))).status).toBe(201);
    });

    it('lists every stored event with actor, enteredBy, reason, the corrected fields and what changed in the record', async () => {
      const { status, body } = await get(`/v1/patients/${subjectId}/audit?asOf=2026-05-01`);

      expect(status).toBe(200);
      expect(body.events.map((e: { type: string }) => e.type)).toEqual(['PatientEnrolled', 'ChemotherapyStarted', 'ConditioningStarted', 'StemCellsInfused', 'EventCorrected', 'FollowUpRecorded', 'EventVoided']);
      expect(body.events[0]).toMatchObject({ enteredBy: { userId: 'crc-0042', site: 'SITE-01' }, actor: { role: 'emitter' }, recordChanges: expect.arrayContaining([{ field: 'phase', from: null, to: 'ENROLLED' }]) });
      expect(body.events[3].recordChanges).toEqual(expect.arrayContaining([{ field: 'day0', from: null, to: '2026-03-01' }, { field: 'day100Window.status', from: 'NOT_STARTED', to: 'OPEN' }]));
      expect(body.events[4]).toMatchObject({
        targetEventId: day0.eventId,
        reason: 'infusion started after midnight',
        enteredBy: { userId: 'dm-7' },
        correctedFields: [{ field: 'occurredOn', from: '2026-03-01', to: '2026-03-02' }],
        recordChanges: expect.arrayContaining([{ field: 'day0', from: '2026-03-01', to: '2026-03-02' }, { field: 'day100Window.start', from: '2026-03-01', to: '2026-03-02' }]),
      });
      expect(body.events[6]).toMatchObject({ reason: 'entered for the wrong patient', enteredBy: null });
      expect(body.events.every((e: { digest: string }) => /^[0-9a-f]{64}$/.test(e.digest))).toBe(true);
    });

    it('is for auditors: a reporter is refused, an unknown patient is 404', async () => {
      expect((await get(`/v1/patients/${subjectId}/audit`, 'reporter')).status).toBe(403);
      expect((await get('/v1/patients/SYN-NOBODY/audit')).body.code).toBe('PATIENT_NOT_FOUND');
    });

    it('refuses an impossible as-of date, naming asOf (it was once taken and echoed back)', async () => {
      const { status, body } = await get(`/v1/patients/${subjectId}/audit?asOf=2026-02-30`);

      expect(status).toBe(400);
      expect(body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ path: 'asOf' })] });
    });

    it('refuses an enteredBy that is not a short id, naming the field, and stores nothing', async () => {
      const { status, body } = await post('SYN-TRAIL-2', { ...enrolled('2026-01-05'), ...by('Jane Doe, RN') });

      expect(status).toBe(400);
      expect(body.errors).toEqual([expect.objectContaining({ path: 'metadata.enteredBy.userId' })]);
      expect((await get('/v1/patients/SYN-TRAIL-2/audit')).status).toBe(404);
    });
  });

  describe('REQUIRE_ENTERED_BY=true', () => {
    it('answers 422 ENTERED_BY_REQUIRED naming each event without it, and takes events that carry it', async () => {
      const strict = await startTestApp({ env: { REQUIRE_ENTERED_BY: 'true' } });
      try {
        const refused = await strict.request({ method: 'POST', url: '/v1/patients/SYN-REQ-1/events', role: 'emitter', body: [{ ...enrolled('2026-01-05'), ...by('crc-1') }, chemoStarted('2026-01-08')] });
        const taken = await strict.request({ method: 'POST', url: '/v1/patients/SYN-REQ-1/events', role: 'emitter', body: { ...enrolled('2026-01-05'), ...by('crc-1') } });

        expect(refused.status).toBe(422);
        expect(refused.body).toMatchObject({ code: 'ENTERED_BY_REQUIRED', errors: [{ path: '[1].metadata.enteredBy', code: 'ENTERED_BY_REQUIRED' }] });
        expect(taken.status).toBe(201);
      } finally {
        await strict.close();
      }
    });
  });

  describe('seals, verification and subjects', () => {
    it('seals once the oldest unsealed event is 60 s old, and verifies against the kept seal by GET and POST', async () => {
      const lifecycle = t.app.get(SealingLifecycle);
      await lifecycle.sealer.sealNow();
      const appended = await post('SYN-SEAL-1', enrolled('2026-01-05'));
      await lifecycle.sealer.reached(appended.body.events[0].position);
      expect(lifecycle.sealer.tick()).toBeNull();
      t.clock.advance(61_000);
      expect(lifecycle.sealer.tick()).not.toBeNull();
      await lifecycle.sealer.idle();

      const { body: sealed } = await get('/v1/audit/seals');
      const kept = sealed.seals[sealed.seals.length - 1];
      const byQuery = await get(`/v1/audit/verify?count=${kept.count}&merkleRoot=${kept.merkleRoot}`);
      const byBody = await t.request({ method: 'POST', url: '/v1/audit/verify', role: 'auditor', body: { seals: sealed.seals } });
      const wrong = await get(`/v1/audit/verify?count=${kept.count}&merkleRoot=${'0'.repeat(64)}`);

      expect(sealed.seals.length).toBeGreaterThanOrEqual(1);
      expect(byQuery.body).toMatchObject({ ok: true, keptSeals: [{ count: kept.count, ok: true }], streamBreaks: [], logBreaks: [] });
      expect(byBody.body).toMatchObject({ ok: true, seals: { checked: sealed.seals.length } });
      expect(wrong.body).toMatchObject({ ok: false, logBreaks: [{ code: 'KEPT_SEAL_MISMATCH' }] });
      expect((await get('/v1/audit/verify?count=3')).status).toBe(400);
      expect((await get('/v1/audit/seals', 'reporter')).status).toBe(403);
    });

    it('pages every subject with its count, recording times and head digest', async () => {
      const first = await get('/v1/audit/subjects?limit=2');
      const second = await get(`/v1/audit/subjects?limit=2&after=${first.body.next}`);
      const events = await get('/v1/patients/SYN-SEAL-1/events');

      expect(first.body.subjects).toHaveLength(2);
      const all = [...first.body.subjects, ...second.body.subjects];
      expect(all.map((s: { subjectId: string }) => s.subjectId)).toEqual(['SYN-SEAL-1', 'SYN-TRAIL-1']);
      expect(all[0]).toEqual({ subjectId: 'SYN-SEAL-1', eventCount: 1, headRevision: 0, firstRecordedAt: events.body.events[0].recordedAt, lastRecordedAt: events.body.events[0].recordedAt, headDigest: events.body.headDigest });
      expect(second.body.next).toBeNull();
    });
  });

  describe('live feed', () => {
    let port: number;
    beforeAll(async () => {
      await t.app.listen(0, '127.0.0.1');
      port = (t.app.getHttpServer().address() as { port: number }).port;
    });

    /** Reads SSE `event` messages until `count` arrived, then disconnects; ids and data of each. */
    function readFeed(count: number, lastEventId?: string): Promise<{ id: string; data: { subjectId: string; eventId: string; position: number } }[]> {
      return new Promise((resolve, reject) => {
        const got: { id: string; data: { subjectId: string; eventId: string; position: number } }[] = [];
        const req = httpRequest({ host: '127.0.0.1', port, path: '/v1/feed', headers: { authorization: `Bearer ${TEST_KEYS.reporter}`, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) } }, (res: IncomingMessage) => {
          expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
          let buffer = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (got.length === count) return;
            buffer += chunk;
            let end: number;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const message = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const fields = Object.fromEntries(message.split('\n').filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
              if (fields.event === 'event') got.push({ id: fields.id, data: JSON.parse(fields.data) });
              if (got.length === count) {
                // One chunk may hold more messages than asked for (Node 24 sends larger ones): the client
                // stops here, as a client that disconnects mid-stream would, and resumes from this id.
                req.destroy();
                resolve(got);
                return;
              }
            }
          });
        });
        req.on('error', (error) => (got.length >= count ? undefined : reject(error)));
        req.end();
      });
    }

    it('streams stored events, and a client that disconnects mid-stream resumes with Last-Event-ID without a gap or a duplicate', async () => {
      const before = (await get('/v1/audit/subjects?limit=1000')).body.subjects.reduce((n: number, s: { eventCount: number }) => n + s.eventCount, 0);
      const firstPart = await readFeed(3);
      // Appends while nobody listens, then the client comes back from its last id and stays for the live ones
      await post('SYN-FEED-1', [enrolled('2026-01-05'), chemoStarted('2026-01-08')]);
      const resumed = readFeed(before - 3 + 3, firstPart[2].id);
      await post('SYN-FEED-1', followUp('2026-02-01'));
      const secondPart = await resumed;

      const all = [...firstPart, ...secondPart];
      const positions = all.map((m) => m.data.position);
      expect(all.map((m) => m.id)).toEqual(positions.map(String));
      expect(new Set(positions).size).toBe(positions.length);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      const log = [];
      for (const s of (await get('/v1/audit/subjects?limit=1000')).body.subjects) log.push(...(await get(`/v1/patients/${s.subjectId}/events`)).body.events);
      expect(positions).toEqual(log.map((e: { position: number }) => e.position).sort((a: number, b: number) => a - b));
    });

    it('refuses a Last-Event-ID that is not a position, and emitters', async () => {
      expect((await t.request({ method: 'GET', url: '/v1/feed', role: 'auditor', headers: { 'last-event-id': 'abc' } })).status).toBe(400);
      expect((await t.request({ method: 'GET', url: '/v1/feed', role: 'emitter' })).status).toBe(403);
    });
  });
});
