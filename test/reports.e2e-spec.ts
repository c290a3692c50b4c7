/**
 * Cohort reports and exports over HTTP against the real embedded SQLite store
 * (synthetic data only). The clock stands at 2026-06-01T12:00Z.
 *
 * The cohort (Day 0 in brackets):
 * - SYN-RPT-001 AML [2025-02-03]: related acute GVHD grade 3 on Day +12, relapse Day +118, death Day +179.
 * - SYN-RPT-002 ALL [2025-02-10]: unrelated serious infection on Day +20, alive on 2026-05-01 (Day +445).
 * - SYN-RPT-003 AML [none]: related bridging AE grade 2 (term with a comma), withdrawn before transplant.
 */
import type { ClinicalEvent } from '../src/domain/events/clinical-event';
import {
  aeReported,
  chemoStarted,
  conditioningStarted,
  died,
  enrolled,
  followUp,
  gpbmcInfused,
  relapsed,
  stemCellsInfused,
  withdrawn,
} from '../src/domain/testing/journey.fixtures';
import { PatientProjector } from '../src/projections/patient.projector';
import { startTestApp, type TestApp } from './support/test-app';

let t: TestApp;

const journeyTo = (enrolledOn: string, day0: string, chemo: string, gpbmc: string, conditioning: string, diagnosis: 'AML' | 'ALL'): ClinicalEvent[] => [
  enrolled(enrolledOn, { diagnosis: { type: diagnosis } }),
  chemoStarted(chemo),
  gpbmcInfused(gpbmc),
  conditioningStarted(conditioning),
  stemCellsInfused(day0),
];

beforeAll(async () => {
  t = await startTestApp({ now: '2026-06-01T12:00:00.000Z' });
  const patients: Record<string, ClinicalEvent[]> = {
    'SYN-RPT-001': [
      ...journeyTo('2025-01-06', '2025-02-03', '2025-01-07', '2025-01-16', '2025-01-28', 'AML'),
      aeReported('2025-02-15', { aeId: 'AE-1', term: 'Acute GVHD of skin', category: 'ACUTE_GVHD', gvhdGrade: 'III', ctcaeGrade: 3, serious: true, attribution: 'PROBABLE' }),
      relapsed('2025-06-01'),
      died('2025-08-01', { cause: 'RELAPSE', treatmentRelated: false }),
    ],
    'SYN-RPT-002': [
      ...journeyTo('2025-01-13', '2025-02-10', '2025-01-14', '2025-01-23', '2025-02-04', 'ALL'),
      aeReported('2025-03-02', { aeId: 'AE-1', term: 'Bacteremia', category: 'INFECTION', ctcaeGrade: 3, serious: true, attribution: 'UNRELATED' }),
      followUp('2026-05-01'),
    ],
    'SYN-RPT-003': [
      enrolled('2025-03-03'),
      chemoStarted('2025-03-04'),
      aeReported('2025-03-10', { aeId: 'AE-1', term: 'Nausea, vomiting "severe"', category: 'OTHER', ctcaeGrade: 2, serious: false, attribution: 'DEFINITE' }),
      withdrawn('2025-03-20', 'CONSENT_WITHDRAWN'),
    ],
  };
  for (const [subjectId, events] of Object.entries(patients)) {
    const response = await t.request({ method: 'POST', url: `/v1/patients/${subjectId}/events`, role: 'emitter', body: events });
    expect(response.status).toBe(201);
  }
  await t.app.get(PatientProjector).catchUp();
});
afterAll(async () => {
  await t.close();
});

const get = (url: string, role: 'emitter' | 'auditor' | 'reporter' | 'admin' | null = 'reporter') => t.request({ method: 'GET', url, role });

const REPORT_URLS = [
  '/v1/reports/survival?endpoint=OS',
  '/v1/reports/cumulative-incidence',
  '/v1/reports/adverse-events',
  '/v1/reports/exports/adtte',
  '/v1/reports/exports/ae',
];

describe('roles', () => {
  it.each(REPORT_URLS)('GET %s: reporter 200, emitter and auditor 403, no key 401', async (url) => {
    expect((await get(url, 'reporter')).status).toBe(200);
    for (const role of ['emitter', 'auditor'] as const) {
      const response = await get(url, role);
      expect({ role, status: response.status }).toEqual({ role, status: 403 });
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect((await get(url, null)).status).toBe(401);
  });
});

describe('GET /v1/reports/survival', () => {
  it('answers the Kaplan-Meier estimate from Day 0 over transplanted patients, in exactly the fixed shape', async () => {
    const response = await get('/v1/reports/survival?endpoint=OS&asOf=2026-06-01');

    expect(response.status).toBe(200);
    // The fixed shape, then the open data queries of the cohort counted beside it.
    expect(Object.keys(response.body)).toEqual(['endpoint', 'origin', 'asOf', 'n', 'events', 'censored', 'median', 'milestones', 'steps', 'queries', 'readModel']);
    expect(response.body).toMatchObject({ endpoint: 'OS', origin: 'TRANSPLANT', asOf: '2026-06-01', n: 2, events: 1, censored: 1 });
    expect(response.body.steps).toEqual([
      { day: 179, atRisk: 2, events: 1, censored: 0, survival: 0.5, lower: expect.any(Number), upper: expect.any(Number) },
      { day: 445, atRisk: 1, events: 0, censored: 1, survival: 0.5, lower: expect.any(Number), upper: expect.any(Number) },
    ]);
    expect(response.body.median).toEqual({ days: 179, lower: 179, upper: null });
    expect(response.body.milestones).toEqual([
      { day: 365, survival: 0.5, lower: response.body.steps[0].lower, upper: response.body.steps[0].upper, atRisk: 1 },
      { day: 730, survival: null, lower: null, upper: null, atRisk: 0 },
    ]);
  });

  it('given PFS, counts the relapse as the event', async () => {
    const response = await get('/v1/reports/survival?endpoint=PFS&asOf=2026-06-01');
    expect(response.body.steps.map((s: { day: number; events: number }) => [s.day, s.events])).toEqual([[118, 1], [445, 0]]);
  });

  it('given origin ENROLLMENT, counts every enrolled patient', async () => {
    const response = await get('/v1/reports/survival?endpoint=OS&origin=ENROLLMENT&asOf=2026-06-01');
    expect(response.body).toMatchObject({ origin: 'ENROLLMENT', n: 3, events: 1, censored: 2 });
  });

  it('given a diagnosis filter, counts only those patients', async () => {
    const response = await get('/v1/reports/survival?endpoint=OS&diagnosis=ALL&asOf=2026-06-01');
    expect(response.body).toMatchObject({ n: 1, events: 0, censored: 1 });
  });

  it('given asOf, sees only what was dated on or before it', async () => {
    const response = await get('/v1/reports/survival?endpoint=OS&asOf=2025-06-30');
    expect(response.body).toMatchObject({ asOf: '2025-06-30', n: 2, events: 0 });
  });

  it('given an empty cohort, answers n = 0 and nulls', async () => {
    const response = await get('/v1/reports/survival?endpoint=GRFS&diagnosis=MPAL');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      endpoint: 'GRFS', origin: 'TRANSPLANT', asOf: '2026-06-01', n: 0, events: 0, censored: 0,
      median: { days: null, lower: null, upper: null },
      milestones: [{ day: 365, survival: null, lower: null, upper: null, atRisk: 0 }, { day: 730, survival: null, lower: null, upper: null, atRisk: 0 }],
      steps: [],
      queries: {
        patients: 0,
        byCode: { DEATH_WITHOUT_GRADE5_AE: 0, NEUTROPHIL_ENGRAFTMENT_NOT_DOCUMENTED: 0, DAY100_NOT_OBSERVED: 0, MILESTONE_VISIT_OVERDUE: 0, AE_UNRESOLVED_AT_OFF_STUDY: 0 },
      },
      readModel: { caughtUp: true, position: expect.any(Number), head: expect.any(Number) },
    });
  });

  it.each([
    ['no endpoint', '/v1/reports/survival', 'endpoint'],
    ['an unknown endpoint', '/v1/reports/survival?endpoint=EFS', 'endpoint'],
    ['an unknown origin', '/v1/reports/survival?endpoint=OS&origin=DIAGNOSIS', 'origin'],
    ['an impossible asOf', '/v1/reports/survival?endpoint=OS&asOf=2026-02-30', 'asOf'],
    ['an unknown diagnosis', '/v1/reports/survival?endpoint=OS&diagnosis=CML', 'diagnosis'],
    ['an unknown parameter', '/v1/reports/survival?endpoint=OS&arm=B', 'arm'],
  ])('given %s, answers 400 problem+json naming the parameter', async (_label, url, path) => {
    const response = await get(url);

    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
  });
});

describe('GET /v1/reports/cumulative-incidence', () => {
  it('answers relapse and NRM at Day 365 and 730 with estimate, variance and limits, and the step tables', async () => {
    const response = await get('/v1/reports/cumulative-incidence?asOf=2026-06-01');

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ origin: 'TRANSPLANT', asOf: '2026-06-01', n: 2, censored: 1 });
    expect(response.body.relapse.events).toBe(1);
    expect(response.body.relapse.milestones).toEqual([
      { day: 365, estimate: 0.5, variance: expect.any(Number), lower: expect.any(Number), upper: expect.any(Number), atRisk: 1 },
      { day: 730, estimate: null, variance: null, lower: null, upper: null, atRisk: 0 },
    ]);
    expect(response.body.nonRelapseMortality.events).toBe(0);
    expect(response.body.nonRelapseMortality.milestones[0]).toMatchObject({ estimate: 0, variance: 0, lower: null, upper: null });
    expect(response.body.relapse.steps.map((s: { day: number; events: number; estimate: number }) => [s.day, s.events, s.estimate])).toEqual([[118, 1, 0.5], [445, 0, 0.5]]);
  });

  it('given origin ENROLLMENT and a filter, counts the filtered enrolled patients', async () => {
    const all = await get('/v1/reports/cumulative-incidence?origin=ENROLLMENT&asOf=2026-06-01');
    const aml = await get('/v1/reports/cumulative-incidence?origin=ENROLLMENT&diagnosis=AML&asOf=2026-06-01');
    expect(all.body).toMatchObject({ origin: 'ENROLLMENT', n: 3, censored: 2 });
    expect(aml.body).toMatchObject({ n: 2, censored: 1 });
  });

  it('given an empty cohort, answers n = 0 and nulls', async () => {
    const response = await get('/v1/reports/cumulative-incidence?diagnosis=MPAL');
    expect(response.body).toMatchObject({ n: 0, censored: 0, relapse: { events: 0, steps: [] } });
    expect(response.body.relapse.milestones[0]).toEqual({ day: 365, estimate: null, variance: null, lower: null, upper: null, atRisk: 0 });
  });
});

describe('GET /v1/reports/adverse-events', () => {
  it('answers treatment-related AE incidence by period with denominators, the primary endpoint summary and serious AEs', async () => {
    const response = await get('/v1/reports/adverse-events?asOf=2026-06-01');

    expect(response.status).toBe(200);
    const [bridging, conditioning, window, later] = response.body.treatmentRelated.periods;
    expect(bridging).toMatchObject({ period: 'BRIDGING', denominator: { patients: 3 }, anyCategory: { patients: 1, byWorstGrade: { '2': 1 } } });
    expect(conditioning).toMatchObject({ period: 'CONDITIONING', anyCategory: { patients: 0 } });
    expect(window).toMatchObject({ period: 'DAY100_WINDOW', denominator: { patients: 2 }, anyCategory: { patients: 1, byWorstGrade: { '3': 1 } } });
    expect(window.anyCategory.incidence).toEqual({ estimate: 0.5, lower: expect.any(Number), upper: expect.any(Number) });
    expect(window.anyCategory.incidence.lower).toBeCloseTo(0.0126, 4); // 1/2: 0.0126-0.9874 (binom.test)
    expect(window.byCategory.find((c: { category: string }) => c.category === 'ACUTE_GVHD')).toMatchObject({ patients: 1 });
    expect(later).toMatchObject({ period: 'LATER', denominator: { patients: 2 }, anyCategory: { patients: 0 } });
    expect(response.body.primaryEndpoint).toMatchObject({
      byStatus: { NOT_APPLICABLE: 1, EVENT: 1, OPEN: 0, NO_EVENT: 1, INCOMPLETE: 0 },
      evaluable: 2,
      withEvent: 1,
      incidence: { estimate: 0.5 },
      incomplete: { patients: 0, byReason: { DIED: 0, WITHDRAWN: 0 } },
      worstCase: { withEvent: 1, denominator: 2, incidence: { estimate: 0.5 } },
    });
    expect(response.body.primaryEndpoint.denominatorRule).toMatch(/EVENT \/ \(EVENT \+ NO_EVENT\)/);
    expect(response.body.queries).toEqual({ patients: expect.any(Number), byCode: expect.objectContaining({ DEATH_WITHOUT_GRADE5_AE: expect.any(Number) }) });
    const serious = response.body.serious.periods;
    expect(serious.map((p: { period: string; patients: number; events: number }) => [p.period, p.patients, p.events])).toEqual([
      ['BRIDGING', 0, 0], ['CONDITIONING', 0, 0], ['DAY100_WINDOW', 2, 2], ['LATER', 0, 0],
    ]);
  });

  it('given a diagnosis filter and an earlier asOf, narrows the tables', async () => {
    const response = await get('/v1/reports/adverse-events?diagnosis=AML&asOf=2025-02-10');

    expect(response.body.n).toBe(1);
    // The window's only patient is still OPEN: not yet in the evaluable denominator.
    expect(response.body.treatmentRelated.periods[2]).toMatchObject({ period: 'DAY100_WINDOW', denominator: { patients: 0 }, anyCategory: { patients: 0 } });
    expect(response.body.primaryEndpoint.byStatus).toMatchObject({ OPEN: 1 });
  });

  it('given an empty cohort, answers zero counts and null incidences', async () => {
    const response = await get('/v1/reports/adverse-events?diagnosis=MPAL');
    expect(response.body.n).toBe(0);
    expect(response.body.primaryEndpoint).toMatchObject({ evaluable: 0, incidence: { estimate: null, lower: null, upper: null } });
  });
});

describe('GET /v1/reports/exports/adtte', () => {
  it('answers RFC 4180 CSV with a header, one row per transplanted patient and PARAMCD, as an attachment', async () => {
    const response = await get('/v1/reports/exports/adtte?asOf=2026-06-01');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="adtte-NCT07297173-transplant-2026-06-01.csv"');
    expect(String(response.body).split('\r\n')).toEqual([
      'STUDYID,USUBJID,PARAMCD,PARAM,STARTDT,ADT,AVAL,CNSR,EVNTDESC,CNSDTDSC',
      'NCT07297173,NCT07297173-SYN-RPT-001,OS,Overall Survival (days from Day 0),2025-02-03,2025-08-01,179,0,DEATH,',
      'NCT07297173,NCT07297173-SYN-RPT-001,PFS,Progression-Free Survival (days from Day 0),2025-02-03,2025-06-01,118,0,RELAPSE OR PROGRESSION,',
      'NCT07297173,NCT07297173-SYN-RPT-001,GRFS,"GVHD-free, Relapse-free Survival (days from Day 0)",2025-02-03,2025-02-15,12,0,ACUTE GVHD GRADE III-IV,',
      'NCT07297173,NCT07297173-SYN-RPT-002,OS,Overall Survival (days from Day 0),2025-02-10,2026-05-01,445,1,,LAST DOCUMENTED CONTACT',
      'NCT07297173,NCT07297173-SYN-RPT-002,PFS,Progression-Free Survival (days from Day 0),2025-02-10,2026-05-01,445,1,,LAST DOCUMENTED CONTACT ON OR BEFORE WITHDRAWAL',
      'NCT07297173,NCT07297173-SYN-RPT-002,GRFS,"GVHD-free, Relapse-free Survival (days from Day 0)",2025-02-10,2026-05-01,445,1,,LAST DOCUMENTED CONTACT ON OR BEFORE WITHDRAWAL',
      '',
    ]);
  });

  it('given format=json, origin ENROLLMENT and a filter, answers { dataset, columns, rows } for those patients', async () => {
    const response = await get('/v1/reports/exports/adtte?format=json&origin=ENROLLMENT&diagnosis=AML&asOf=2026-06-01');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toMatchObject({ dataset: 'ADTTE', studyId: 'NCT07297173', asOf: '2026-06-01', origin: 'ENROLLMENT' });
    expect(response.body.columns).toEqual(['STUDYID', 'USUBJID', 'PARAMCD', 'PARAM', 'STARTDT', 'ADT', 'AVAL', 'CNSR', 'EVNTDESC', 'CNSDTDSC']);
    expect(response.body.rows).toHaveLength(6);
    expect(response.body.rows[3]).toEqual({
      STUDYID: 'NCT07297173', USUBJID: 'NCT07297173-SYN-RPT-003', PARAMCD: 'OS', PARAM: 'Overall Survival (days from enrollment)',
      // Censored at the last documented contact (the AE on 2025-03-10), not at the withdrawal of 2025-03-20.
      STARTDT: '2025-03-03', ADT: '2025-03-10', AVAL: 7, CNSR: 1, EVNTDESC: null, CNSDTDSC: 'LAST DOCUMENTED CONTACT',
    });
  });

  it('given an unknown format, answers 400', async () => {
    expect((await get('/v1/reports/exports/adtte?format=xpt')).status).toBe(400);
  });
});

describe('GET /v1/reports/exports/ae', () => {
  it('answers the SDTM-style AE dataset as CSV, quoting what needs quotes', async () => {
    const response = await get('/v1/reports/exports/ae?asOf=2026-06-01');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="ae-NCT07297173-2026-06-01.csv"');
    expect(String(response.body).split('\r\n')).toEqual([
      'STUDYID,DOMAIN,USUBJID,AESEQ,AESPID,AETERM,AECAT,AETOXGR,AEREL,AERELFL,AESER,AESTDTC,AEENDTC,AESTD0DY,EPOCH,AETOXGRW',
      'NCT07297173,AE,NCT07297173-SYN-RPT-001,1,AE-1,Acute GVHD of skin,ACUTE_GVHD,3,PROBABLE,Y,Y,2025-02-15,,12,DAY100_WINDOW,3',
      'NCT07297173,AE,NCT07297173-SYN-RPT-002,1,AE-1,Bacteremia,INFECTION,3,UNRELATED,N,Y,2025-03-02,,20,DAY100_WINDOW,3',
      'NCT07297173,AE,NCT07297173-SYN-RPT-003,1,AE-1,"Nausea, vomiting ""severe""",OTHER,2,DEFINITE,Y,N,2025-03-10,,,BRIDGING,',
      '',
    ]);
  });

  it('given format=json and a filter, answers the rows of those patients', async () => {
    const response = await get('/v1/reports/exports/ae?format=json&diagnosis=ALL');

    expect(response.body).toMatchObject({ dataset: 'AE', studyId: 'NCT07297173', asOf: '2026-06-01' });
    expect(response.body.rows).toEqual([expect.objectContaining({ USUBJID: 'NCT07297173-SYN-RPT-002', AESEQ: 1, AETERM: 'Bacteremia', AESTD0DY: 20, AEENDTC: null })]);
  });

  it('given an asOf before any AE, answers the header alone', async () => {
    const response = await get('/v1/reports/exports/ae?asOf=2025-02-01');
    expect(response.body).toBe('STUDYID,DOMAIN,USUBJID,AESEQ,AESPID,AETERM,AECAT,AETOXGR,AEREL,AERELFL,AESER,AESTDTC,AEENDTC,AESTD0DY,EPOCH,AETOXGRW\r\n');
  });
});
