/**
 * Derived records over HTTP: the five SYNTHETIC seed patients loaded through the API
 * one event at a time, then read as records, timelines and lists.
 */
import type Database from 'better-sqlite3';
import { PatientProjector, READ_MODEL_DB } from '../src/projections/patient.projector';
import { SYNTHETIC_PATIENTS } from '../scripts/synthetic-patients';
import { startTestApp, type TestApp } from './support/test-app';

let t: TestApp;
/** When SYN-002's relapse correction was recorded: everything else was recorded before. */
const CORRECTION_RECORDED_AT = '2026-11-20T09:00:00.000Z';

beforeAll(async () => {
  t = await startTestApp({ now: '2026-11-19T09:00:00.000Z' });
  for (const patient of SYNTHETIC_PATIENTS) {
    t.clock.set('2026-11-19T09:00:00.000Z');
    for (const event of patient.events) {
      if (event.type === 'EventCorrected') t.clock.set(CORRECTION_RECORDED_AT);
      const response = await t.request({ method: 'POST', url: `/v1/patients/${patient.subjectId}/events`, role: 'emitter', body: event });
      expect([patient.subjectId, event.type, response.status]).toEqual([patient.subjectId, event.type, 201]);
    }
  }
  t.clock.set('2026-11-25T12:00:00.000Z');
  await t.app.get(PatientProjector).catchUp();
});
afterAll(async () => {
  await t.close();
});

const get = (url: string, role: 'reporter' | 'auditor' | 'emitter' | 'admin' = 'reporter') => t.request({ method: 'GET', url, role });
const ids = (body: { items: Array<{ subjectId: string }> }) => body.items.map((p) => p.subjectId);

describe('graft failure on the synthetic records', () => {
  it.each([
    ['SYN-001', 'ENGRAFTED'],
    ['SYN-002', 'ENGRAFTED'],
    ['SYN-003', 'ENGRAFTED'],
    // A GPBMC graft on 2026-10-01 and no neutrophil engraftment recorded by Day +30.
    ['SYN-004', 'GRAFT_FAILURE'],
    ['SYN-005', null],
  ])('%s as of 2026-11-25: %s', async (subjectId, expected) => {
    const record = await get(`/v1/patients/${subjectId}?asOf=2026-11-25`);
    expect(record.status).toBe(200);
    expect(record.body.graftFailure).toBe(expected);
  });

  it('SYN-004 as of its Day +30 is still pending', async () => {
    expect((await get('/v1/patients/SYN-004?asOf=2026-10-31')).body.graftFailure).toBe('PENDING');
  });
});

describe('GET /v1/patients', () => {
  it('lists every patient with the status derived as of the date', async () => {
    const list = await get('/v1/patients?asOf=2026-11-25');
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(5);
    expect(list.body.items.map((p: any) => [p.subjectId, p.phase, p.primaryEndpoint.status, p.day100Window.status, p.relapsed])).toEqual([
      ['SYN-001', 'LONG_TERM_FOLLOW_UP', 'EVENT', 'CLOSED', false],
      ['SYN-002', 'LONG_TERM_FOLLOW_UP', 'NO_EVENT', 'CLOSED', true],
      ['SYN-003', 'OFF_STUDY', 'INCOMPLETE', 'CLOSED', false],
      ['SYN-004', 'EARLY_POST_TRANSPLANT', 'EVENT', 'OPEN', false],
      ['SYN-005', 'OFF_STUDY', 'NOT_APPLICABLE', 'NOT_STARTED', false],
    ]);
  });

  it.each([
    ['phase=OFF_STUDY', ['SYN-003', 'SYN-005']],
    ['primaryEndpoint=EVENT', ['SYN-001', 'SYN-004']],
    ['windowStatus=OPEN', ['SYN-004']],
    ['diagnosis=ALL', ['SYN-002']],
    ['riskGroup=ADVERSE', ['SYN-001', 'SYN-002', 'SYN-005']],
    ['relapsed=true', ['SYN-002']],
    ['relapsed=false&diagnosis=AML', ['SYN-001', 'SYN-003', 'SYN-005']],
    // SYN-002 missed its Day +182 visit, SYN-003 its Day +30 visit; SYN-004 was waived and skipped GPBMC.
    ['hasDeviations=true', ['SYN-002', 'SYN-003', 'SYN-004']],
    ['asOf=2026-03-01', ['SYN-001', 'SYN-002', 'SYN-003']],
    ['asOf=2026-03-01&phase=EARLY_POST_TRANSPLANT', ['SYN-001']],
  ])('filters by %s', async (query, expected) => {
    const list = await get(`/v1/patients?${query}${query.includes('asOf') ? '' : '&asOf=2026-11-25'}`);
    expect(list.status).toBe(200);
    expect(ids(list.body)).toEqual(expected);
  });

  it('sorts and pages', async () => {
    const page = await get('/v1/patients?asOf=2026-11-25&sort=day0&order=desc&limit=2&offset=1');
    expect(page.body).toMatchObject({ total: 5, limit: 2, offset: 1 });
    // Day 0 descending, patients without Day 0 last: 004, 003, 002, 001, 005.
    expect(ids(page.body)).toEqual(['SYN-003', 'SYN-002']);
  });

  it('refuses bad filters with 400 naming the parameter, and roles other than reporter', async () => {
    const bad = await get('/v1/patients?phase=ASLEEP&limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['limit', 'phase']);
    for (const count of ['limit=0x10', 'limit=1e1', 'limit=%205', 'offset=-1', 'offset=1.5']) {
      const lenient = await get(`/v1/patients?${count}`);
      expect([count, lenient.status, lenient.body.errors?.[0]?.path]).toEqual([count, 400, count.split('=')[0]]);
    }
    expect((await get('/v1/patients', 'emitter')).status).toBe(403);
    expect((await get('/v1/patients', 'auditor')).status).toBe(403);
  });
});

describe('GET /v1/patients/{subjectId}', () => {
  it('derives the record as of a clinical date', async () => {
    const early = await get('/v1/patients/SYN-001?asOf=2026-03-20');
    expect(early.status).toBe(200);
    expect(early.body).toMatchObject({
      subjectId: 'SYN-001',
      asOf: '2026-03-20',
      day0: '2026-02-10',
      phase: 'EARLY_POST_TRANSPLANT',
      day100Window: { start: '2026-02-10', end: '2026-05-21', status: 'OPEN' },
      primaryEndpoint: { status: 'EVENT', eventDate: '2026-03-17' },
    });
    expect(early.body.endpoints.GRFS.event).toBe(false);
    const later = await get('/v1/patients/SYN-001?asOf=2026-11-25');
    // Acute GVHD reached grade III on 2026-03-24 (Day +42): the GRFS event is the date of the change.
    expect(later.body.endpoints.GRFS).toMatchObject({ event: true, date: '2026-03-24', days: 42 });
    expect(later.body.endpoints.OS).toMatchObject({ event: false, date: '2026-11-20', milestones: { '365': 'PENDING', '730': 'PENDING' } });
    expect(later.body.phaseHistory.map((p: { phase: string }) => p.phase)).toEqual([
      'ENROLLED', 'BRIDGING_CHEMOTHERAPY', 'BRIDGING_GPBMC', 'CONDITIONING', 'EARLY_POST_TRANSPLANT', 'LONG_TERM_FOLLOW_UP',
    ]);
  });

  it('shows what was known before a recording instant', async () => {
    const before = await get('/v1/patients/SYN-002?asOf=2026-11-25&recordedBefore=2026-11-20T00:00:00Z', 'auditor');
    const after = await get('/v1/patients/SYN-002?asOf=2026-11-25', 'auditor');
    expect(before.body.relapse).toMatchObject({ date: '2026-10-05', kind: 'MOLECULAR' });
    expect(after.body.relapse).toMatchObject({ date: '2026-10-01', kind: 'HEMATOLOGICAL' });
    // The correction (revision 9) and the follow-up after it (10) were recorded later.
    expect([before.body.revision, after.body.revision]).toEqual([8, 10]);
  });

  it('answers 404 for an unknown patient and for a date before enrollment, 403 for an emitter', async () => {
    expect((await get('/v1/patients/SYN-404')).status).toBe(404);
    const early = await get('/v1/patients/SYN-004?asOf=2026-01-01');
    expect(early.status).toBe(404);
    expect(early.body.code).toBe('NOT_ENROLLED_AS_OF');
    expect((await get('/v1/patients/SYN-001', 'emitter')).status).toBe(403);
    expect((await get('/v1/patients/SYN-001?asOf=2026-02-31')).status).toBe(400);
  });
});

describe('GET /v1/patients/{subjectId}/timeline', () => {
  it('gives every effective event its day relative to Day 0 and the phase on that date', async () => {
    const timeline = await get('/v1/patients/SYN-001/timeline?asOf=2026-11-25', 'auditor');
    expect(timeline.status).toBe(200);
    const rows = timeline.body.events.map((e: any) => [e.type, e.occurredOn, e.day, e.phase]);
    expect(rows.slice(0, 6)).toEqual([
      ['PatientEnrolled', '2025-12-10', -62, 'ENROLLED'],
      ['ChemotherapyStarted', '2025-12-12', -60, 'BRIDGING_CHEMOTHERAPY'],
      ['GpbmcInfused', '2025-12-20', -52, 'BRIDGING_GPBMC'],
      ['ResponseAssessed', '2026-01-20', -21, 'BRIDGING_GPBMC'],
      ['ConditioningStarted', '2026-02-03', -7, 'CONDITIONING'],
      ['StemCellsInfused', '2026-02-10', 0, 'EARLY_POST_TRANSPLANT'],
    ]);
    // The voided duplicate follow-up is gone; corrections and voids are not clinical events.
    expect(rows.map((r: unknown[]) => r[1])).not.toContain('2026-05-19');
    expect(rows.at(-1)).toEqual(['FollowUpRecorded', '2026-11-20', 283, 'LONG_TERM_FOLLOW_UP']);
  });
});

describe('the read model', () => {
  it('rebuilds from position 0 into rows identical to the live ones, and reports its lag on /health', async () => {
    const db = t.app.get<Database.Database>(READ_MODEL_DB);
    const rows = () => db.prepare('SELECT * FROM patient ORDER BY subject_id').all();
    const live = rows();
    expect(live).toHaveLength(5);
    const rebuilt = await t.request({ method: 'POST', url: '/v1/admin/projections/rebuild', role: 'admin' });
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body).toMatchObject({ caughtUp: true, state: 'running' });
    expect(rows()).toEqual(live);
    expect((await t.request({ method: 'POST', url: '/v1/admin/projections/rebuild', role: 'reporter' })).status).toBe(403);
    const health = await t.request({ method: 'GET', url: '/health', role: null });
    expect(health.body).toMatchObject({ status: 'ok', readModel: { caughtUp: true, lagPositions: 0 } });
  });
});

describe('data queries on the synthetic records', () => {
  it('each record lists its open queries as of the date, each naming its events and asking one question', async () => {
    const codesOf = async (subjectId: string) => ((await get(`/v1/patients/${subjectId}?asOf=2026-11-25`)).body.queries as { code: string }[]).map((q) => q.code);

    expect(await codesOf('SYN-001')).toEqual([]);
    expect(await codesOf('SYN-002')).toEqual(['MILESTONE_VISIT_OVERDUE']);
    // Organ-failure death on Day +50 with no AE of grade 5: asked, whatever its treatment-related flag.
    expect(await codesOf('SYN-003')).toEqual(['MILESTONE_VISIT_OVERDUE', 'DEATH_WITHOUT_GRADE5_AE']);
    expect(await codesOf('SYN-004')).toEqual(['NEUTROPHIL_ENGRAFTMENT_NOT_DOCUMENTED']);
    expect(await codesOf('SYN-005')).toEqual([]);
  });

  it('GET /v1/queries lists the cohort\'s open queries, oldest first, filterable by code, age and the patient filters', async () => {
    const all = await get('/v1/queries?asOf=2026-11-25');
    expect(all.status).toBe(200);
    expect(all.body.items.map((q: any) => [q.subjectId, q.code, q.raisedOn])).toEqual([
      ['SYN-003', 'MILESTONE_VISIT_OVERDUE', '2026-05-16'],
      ['SYN-003', 'DEATH_WITHOUT_GRADE5_AE', '2026-05-21'],
      ['SYN-002', 'MILESTONE_VISIT_OVERDUE', '2026-09-28'],
      ['SYN-004', 'NEUTROPHIL_ENGRAFTMENT_NOT_DOCUMENTED', '2026-11-02'],
    ]);
    expect(all.body).toMatchObject({ asOf: '2026-11-25', total: 4, byCode: { MILESTONE_VISIT_OVERDUE: 2, DEATH_WITHOUT_GRADE5_AE: 1, NEUTROPHIL_ENGRAFTMENT_NOT_DOCUMENTED: 1 } });
    expect(all.body.items[3]).toMatchObject({ ageDays: 23, eventIds: [expect.any(String), expect.any(String)], question: expect.stringMatching(/neutrophil engraftment/) });

    expect(ids((await get('/v1/queries?asOf=2026-11-25&code=MILESTONE_VISIT_OVERDUE')).body)).toEqual(['SYN-003', 'SYN-002']);
    expect(ids((await get('/v1/queries?asOf=2026-11-25&minAgeDays=100')).body)).toEqual(['SYN-003', 'SYN-003']);
    expect(ids((await get('/v1/queries?asOf=2026-11-25&diagnosis=MPAL')).body)).toEqual(['SYN-004']);
    expect((await get('/v1/queries?asOf=2026-11-25', 'auditor')).status).toBe(200);
    expect((await get('/v1/queries?asOf=2026-11-25', 'emitter')).status).toBe(403);
    expect((await get('/v1/queries?code=NOT_A_CODE')).status).toBe(400);
  });

  it('the patient list filters by hasQueries, carried forward by the calendar', async () => {
    expect(ids((await get('/v1/patients?asOf=2026-11-25&hasQueries=true')).body)).toEqual(['SYN-002', 'SYN-003', 'SYN-004']);
    expect(ids((await get('/v1/patients?asOf=2026-11-25&hasQueries=false')).body)).toEqual(['SYN-001', 'SYN-005']);
    // Before SYN-002's Day +182 visit window closed, it had none.
    expect(ids((await get('/v1/patients?asOf=2026-09-27&hasQueries=true')).body)).toEqual(['SYN-003']);
  });

  it('recording the answer removes the query at the next read, with nothing else to close', async () => {
    const answer = { eventId: '5e1f6b1a-0000-4000-8000-00000000a001', type: 'EngraftmentRecorded', occurredOn: '2026-10-19', data: { lineage: 'NEUTROPHIL' } };
    t.clock.set('2026-11-25T12:00:00.000Z');
    expect((await t.request({ method: 'POST', url: '/v1/patients/SYN-004/events', role: 'emitter', body: answer })).status).toBe(201);
    await t.app.get(PatientProjector).catchUp();

    const record = (await get('/v1/patients/SYN-004?asOf=2026-11-25')).body;
    expect(record).toMatchObject({ graftFailure: 'ENGRAFTED', queries: [] });
    expect(ids((await get('/v1/queries?asOf=2026-11-25&diagnosis=MPAL')).body)).toEqual([]);
    // What was known before the answer still shows the question.
    const before = (await get('/v1/patients/SYN-004?asOf=2026-11-25&recordedBefore=2026-11-25T11:00:00.000Z')).body;
    expect(before.queries.map((q: { code: string }) => q.code)).toEqual(['NEUTROPHIL_ENGRAFTMENT_NOT_DOCUMENTED']);
  });
});
