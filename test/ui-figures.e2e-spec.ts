/**
 * The figure routes against the JSON routes they draw: the numbers in the SVG files are
 * read back through the figure's own axis ticks and compared with the report's.
 */
import { SYNTHETIC_PATIENTS } from '../scripts/synthetic-patients';
import { startTestApp, type TestApp } from './support/test-app';
import { AS_OF, beforePatient, loadSyntheticCohort } from './ui-support/cohort';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ now: '2026-12-01T09:00:00.000Z' });
  await loadSyntheticCohort(t);
});

afterAll(async () => {
  await t.close();
});

async function svg(url: string, role: 'reporter' | 'auditor' = 'reporter') {
  const response = await t.request({ method: 'GET', url, role });
  return { status: response.status, type: String(response.headers['content-type']), text: String(typeof response.body === 'string' ? response.body : JSON.stringify(response.body)) };
}

/** Every match of a pattern's first group. */
function all(text: string, pattern: RegExp): string[] {
  return [...text.matchAll(pattern)].map((m) => m[1]);
}

/** The x pixel of each axis tick by its day, from `<g class="tick" data-day="D"><line x1="X" ...`. */
function ticks(text: string, axis: 'x-axis' | 'y-axis'): Map<number, number> {
  const block = text.slice(text.indexOf(`class="${axis}"`));
  const attribute = axis === 'x-axis' ? 'data-day' : 'data-value';
  const coordinate = axis === 'x-axis' ? 'x1' : 'y1';
  const pattern = new RegExp(`<g class="tick" ${attribute}="([-\\d.]+)"><line ${axis === 'x-axis' ? '' : 'x1="[-\\d.]+" x2="[-\\d.]+" '}${coordinate}="([-\\d.]+)"`, 'g');
  return new Map([...block.matchAll(pattern)].map((m) => [Number(m[1]), Number(m[2])]));
}

/** Inverts a linear pixel mapping from two of its ticks. */
function inverse(map: Map<number, number>): (pixel: number) => number {
  const entries = [...map.entries()];
  expect(entries.length).toBeGreaterThan(1);
  const [v0, p0] = entries[0];
  const [v1, p1] = entries[entries.length - 1];
  return (pixel) => v0 + ((pixel - p0) / (p1 - p0)) * (v1 - v0);
}

/** The corner points of the first path of a class, in data units. */
function curvePoints(text: string, series: string, klass: string): [number, number][] {
  const block = text.slice(text.indexOf(`data-series="${series}"`));
  const d = new RegExp(`class="${klass}" d="([^"]+)"`).exec(block)![1];
  const toDay = inverse(ticks(text, 'x-axis'));
  const toValue = inverse(ticks(text, 'y-axis'));
  return [...d.matchAll(/[ML]([-\d.]+),([-\d.]+)/g)].map((m) => [toDay(Number(m[1])), toValue(Number(m[2]))]);
}

/** The step function's corners as the report's steps say they must be. */
function expectedCorners(start: number, steps: readonly { day: number; value: number }[]): [number, number][] {
  const points: [number, number][] = [[0, start]];
  let current = start;
  for (const s of steps) {
    points.push([s.day, current]);
    if (s.value !== current) points.push([s.day, s.value]);
    current = s.value;
  }
  return points;
}

/** Patients with time on or after the day: counted from the steps' events and censorings. */
function atRiskFromSteps(steps: readonly { day: number; events: number; censored?: number }[], day: number): number {
  return steps.filter((s) => s.day >= day).reduce((n, s) => n + s.events + (s.censored ?? 0), 0);
}

describe('GET /v1/reports/survival.svg', () => {
  it.each(['OS', 'PFS', 'GRFS'] as const)('given the synthetic cohort, when %s is drawn, then the curve steps where the report steps, the at-risk table counts the same patients and the caption names the cut-off', async (endpoint) => {
    const query = `endpoint=${endpoint}&asOf=${AS_OF}`;
    const json = (await t.request({ method: 'GET', url: `/v1/reports/survival?${query}`, role: 'reporter' })).body;
    const figure = await svg(`/v1/reports/survival.svg?${query}`);

    expect(figure.status).toBe(200);
    expect(figure.type).toBe('image/svg+xml; charset=utf-8');
    const drawn = curvePoints(figure.text, endpoint, 'curve');
    const expected = expectedCorners(1, json.steps.map((s: { day: number; survival: number }) => ({ day: s.day, value: s.survival })));
    expect(drawn).toHaveLength(expected.length);
    drawn.forEach(([day, value], i) => {
      expect(day).toBeCloseTo(expected[i][0], 1);
      expect(value).toBeCloseTo(expected[i][1], 2);
    });
    const atRisk = all(figure.text, /data-day="(\d+)" data-at-risk="\d+"/g).map(Number);
    expect(atRisk.length).toBeGreaterThan(2);
    for (const day of atRisk) {
      const n = Number(new RegExp(`data-day="${day}" data-at-risk="(\\d+)"`).exec(figure.text)![1]);
      expect(n).toBe(atRiskFromSteps(json.steps, day));
    }
    expect(Number(/data-day="0" data-at-risk="(\d+)"/.exec(figure.text)![1])).toBe(json.n);
    // One censor tick per day with censorings.
    expect(all(figure.text, /class="censor" data-day="(\d+)"/g).map(Number)).toEqual(json.steps.filter((s: { censored: number }) => s.censored > 0).map((s: { day: number }) => s.day));
    expect(figure.text).toContain(`Data cut-off (as of) ${AS_OF}`);
    expect(figure.text).toMatch(/<title id="survival-[a-z]+-title">/);
    expect(figure.text).toMatch(/<desc id="survival-[a-z]+-desc">/);
  });

  it.each([
    ['GRFS', 'TRANSPLANT'],
    ['PFS', 'ENROLLMENT'],
  ])('given %s from %s has a median, then the dashed median line stands on that day', async (endpoint, origin) => {
    const query = `endpoint=${endpoint}&origin=${origin}&asOf=${AS_OF}`;
    const json = (await t.request({ method: 'GET', url: `/v1/reports/survival?${query}`, role: 'reporter' })).body;
    const figure = await svg(`/v1/reports/survival.svg?${query}`);
    expect(json.median.days).not.toBeNull();
    expect(figure.text).toContain(`class="median" data-day="${json.median.days}"`);
    expect(figure.text).toContain(`median ${json.median.days} days (95% CI ${json.median.lower} to NE)`);
  });

  it('given OS, whose median is not reached, then no median line is drawn and the caption says so', async () => {
    const figure = await svg(`/v1/reports/survival.svg?endpoint=OS&asOf=${AS_OF}`);
    expect(figure.text).not.toContain('class="median"');
    expect(figure.text).toContain('median not reached');
  });

  it('given the same filters as the JSON report, then the figure counts the same patients', async () => {
    const json = (await t.request({ method: 'GET', url: `/v1/reports/survival?endpoint=OS&diagnosis=AML&asOf=${AS_OF}`, role: 'reporter' })).body;
    const figure = await svg(`/v1/reports/survival.svg?endpoint=OS&diagnosis=AML&asOf=${AS_OF}`);
    expect(figure.text).toContain(`n=${json.n}, events=${json.events}, censored=${json.censored}`);
    expect(figure.text).toContain('diagnosis AML');
  });

  it.each([
    ['no endpoint', `/v1/reports/survival.svg?asOf=${AS_OF}`, 400],
    ['an unknown parameter', `/v1/reports/survival.svg?endpoint=OS&colour=red`, 400],
    ['a bad date', `/v1/reports/survival.svg?endpoint=OS&asOf=2026-02-30`, 400],
  ])('given %s, then it is refused as the JSON report refuses it', async (_case, url, status) => {
    const response = await t.request({ method: 'GET', url, role: 'reporter' });
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });

  it('given an auditor key, then the figure is refused like the report (reporter role)', async () => {
    const response = await t.request({ method: 'GET', url: '/v1/reports/survival.svg?endpoint=OS', role: 'auditor' });
    expect(response.status).toBe(403);
  });
});

describe('GET /v1/reports/cumulative-incidence.svg', () => {
  it('given the synthetic cohort, then relapse and NRM step where the report steps, and the at-risk row counts the report', async () => {
    const json = (await t.request({ method: 'GET', url: `/v1/reports/cumulative-incidence?asOf=${AS_OF}`, role: 'reporter' })).body;
    const figure = await svg(`/v1/reports/cumulative-incidence.svg?asOf=${AS_OF}`);
    expect(figure.status).toBe(200);
    for (const [series, cause] of [
      ['RELAPSE', json.relapse],
      ['NRM', json.nonRelapseMortality],
    ] as const) {
      const drawn = curvePoints(figure.text, series, 'curve');
      const expected = expectedCorners(0, cause.steps.map((s: { day: number; estimate: number }) => ({ day: s.day, value: s.estimate })));
      expect(drawn).toHaveLength(expected.length);
      drawn.forEach(([day, value], i) => {
        expect(day).toBeCloseTo(expected[i][0], 1);
        expect(value).toBeCloseTo(expected[i][1], 2);
      });
    }
    const days = all(figure.text, /data-day="(\d+)" data-at-risk="\d+"/g).map(Number);
    expect(days.length).toBeGreaterThan(2);
    for (const day of days) {
      const n = Number(new RegExp(`data-day="${day}" data-at-risk="(\\d+)"`).exec(figure.text)![1]);
      // At risk: patients whose time is on or after the day (every distinct time is a step).
      const expected = day === 0 ? json.n : json.relapse.steps.find((s: { day: number }) => s.day >= day)?.atRisk ?? 0;
      expect(n).toBe(expected);
    }
    expect(figure.text).toContain(`relapses=${json.relapse.events}, NRM=${json.nonRelapseMortality.events}`);
    expect(figure.text).toContain(`Data cut-off (as of) ${AS_OF}`);
  });
});

describe('GET /v1/reports/swimmer and swimmer.svg', () => {
  it('given the synthetic cohort, then there is one row per patient in the list order, with Day 0, AEs and the arrow where the records put them', async () => {
    const page = (await t.request({ method: 'GET', url: `/v1/reports/swimmer?asOf=${AS_OF}`, role: 'reporter' })).body;
    expect(page.rows.map((r: { subjectId: string }) => r.subjectId)).toEqual(SYNTHETIC_PATIENTS.map((p) => p.subjectId));
    const figure = await svg(`/v1/reports/swimmer.svg?asOf=${AS_OF}`);
    expect(figure.status).toBe(200);
    expect(figure.type).toBe('image/svg+xml; charset=utf-8');
    expect(all(figure.text, /class="swimmer-row" data-subject="([^"]+)"/g)).toEqual(SYNTHETIC_PATIENTS.map((p) => p.subjectId));

    // SYN-001: Day 0 on 2026-02-10, acute GVHD from 2026-03-17 (Day +35) reaching grade 3.
    const syn001 = figure.text.slice(figure.text.indexOf('data-subject="SYN-001"'), figure.text.indexOf('data-subject="SYN-002"'));
    expect(syn001).toContain('data-kind="DAY0" data-day="0" data-date="2026-02-10"');
    expect(syn001).toContain('data-kind="AE" data-day="35" data-date="2026-03-17" data-category="ACUTE_GVHD" data-grade="3"');
    expect(syn001).toContain('class="ongoing"');
    // SYN-003 died on study: no arrow, a death mark; SYN-005 has no Day 0: words, not a bar.
    const syn003 = figure.text.slice(figure.text.indexOf('data-subject="SYN-003"'), figure.text.indexOf('data-subject="SYN-004"'));
    expect(syn003).toContain('data-kind="DEATH" data-day="50"');
    expect(syn003).not.toContain('class="ongoing"');
    const syn005 = figure.text.slice(figure.text.indexOf('data-subject="SYN-005"'));
    expect(syn005).toContain('class="no-day0"');
    expect(figure.text).toContain(`Data cut-off (as of) ${AS_OF}`);
  });

  it('given the enrollment axis, then each marker is placed in days from that patient\'s enrollment', async () => {
    const figure = await svg(`/v1/reports/swimmer.svg?asOf=${AS_OF}&axis=ENROLLMENT`);
    // SYN-001 enrolled 2025-12-10, Day 0 2026-02-10: 62 days later.
    expect(figure.text).toContain('data-kind="DAY0" data-day="62" data-date="2026-02-10"');
    expect(figure.text).toContain('Days from enrollment');
    expect(figure.text).not.toContain('class="no-day0"');
  });

  it('given the list\'s filters, sort and page, then the swimmer page is that list page', async () => {
    const query = `asOf=${AS_OF}&phase=OFF_STUDY&sort=enrolledOn&order=desc&limit=1&offset=0`;
    const list = (await t.request({ method: 'GET', url: `/v1/patients?${query}`, role: 'reporter' })).body;
    const page = (await t.request({ method: 'GET', url: `/v1/reports/swimmer?${query}`, role: 'reporter' })).body;
    expect(page.total).toBe(list.total);
    expect(page.rows.map((r: { subjectId: string }) => r.subjectId)).toEqual(list.items.map((i: { subjectId: string }) => i.subjectId));
  });

  it('given recordedBefore, then only the patients recorded by then are drawn, each as known then', async () => {
    const before = beforePatient(2);
    const page = (await t.request({ method: 'GET', url: `/v1/reports/swimmer?asOf=${AS_OF}&recordedBefore=${before}`, role: 'reporter' })).body;
    expect(page.recordedBefore).toBe(before);
    expect(page.total).toBe(2);
    expect(page.rows.map((r: { subjectId: string }) => r.subjectId)).toEqual(['SYN-001', 'SYN-002']);
    // Part of SYN-002 as recorded half-way through its own load: fewer markers than now.
    const midway = new Date(Date.parse(beforePatient(1)) + 1 + 6 * 60_000).toISOString();
    const [then] = (await t.request({ method: 'GET', url: `/v1/reports/swimmer?asOf=${AS_OF}&recordedBefore=${midway}&offset=1&limit=1`, role: 'reporter' })).body.rows;
    const [now] = (await t.request({ method: 'GET', url: `/v1/reports/swimmer?asOf=${AS_OF}&offset=1&limit=1`, role: 'reporter' })).body.rows;
    expect(then.subjectId).toBe('SYN-002');
    expect(then.markers.length).toBeLessThan(now.markers.length);
    const figure = await svg(`/v1/reports/swimmer.svg?asOf=${AS_OF}&recordedBefore=${before}`);
    expect(all(figure.text, /class="swimmer-row" data-subject="([^"]+)"/g)).toEqual(['SYN-001', 'SYN-002']);
    expect(figure.text).toContain(`as recorded before ${before}`);
  });

  it('given a malformed recordedBefore or axis, then 400 names it', async () => {
    const bad = await t.request({ method: 'GET', url: '/v1/reports/swimmer?recordedBefore=yesterday', role: 'reporter' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('recordedBefore');
    const axis = await t.request({ method: 'GET', url: '/v1/reports/swimmer.svg?axis=SIDEWAYS', role: 'reporter' });
    expect(axis.status).toBe(400);
  });
});

describe('GET /v1/reports/as-recorded/*', () => {
  const everything = '2030-01-01T00:00:00.000Z';
  const strip = ({ recordedBefore: _r, ...report }: Record<string, unknown>) => report;

  it.each([
    ['survival', 'endpoint=OS'],
    ['survival', 'endpoint=GRFS&origin=ENROLLMENT'],
    ['survival', 'endpoint=PFS&diagnosis=AML'],
    ['cumulative-incidence', 'origin=TRANSPLANT'],
    ['cumulative-incidence', 'origin=ENROLLMENT&relapsed=false'],
    ['adverse-events', 'phase=OFF_STUDY'],
    ['adverse-events', 'hasDeviations=true'],
  ])('given everything recorded, then %s?%s as recorded equals the report route\'s answer', async (report, query) => {
    const now = await t.request({ method: 'GET', url: `/v1/reports/${report}?${query}&asOf=${AS_OF}`, role: 'reporter' });
    const then = await t.request({ method: 'GET', url: `/v1/reports/as-recorded/${report}?${query}&asOf=${AS_OF}&recordedBefore=${everything}`, role: 'reporter' });
    expect(then.status).toBe(200);
    expect(then.body.recordedBefore).toBe(everything);
    // The report route also says how current its read model was; the as-recorded one reads the streams.
    const { readModel: _readModel, ...answer } = now.body;
    expect(strip(then.body)).toEqual(answer);
  });

  it('given an instant part-way through the load, then the reports count only the patients recorded by then', async () => {
    const before = beforePatient(2);
    const survival = (await t.request({ method: 'GET', url: `/v1/reports/as-recorded/survival?endpoint=OS&origin=ENROLLMENT&asOf=${AS_OF}&recordedBefore=${before}`, role: 'reporter' })).body;
    const ae = (await t.request({ method: 'GET', url: `/v1/reports/as-recorded/adverse-events?asOf=${AS_OF}&recordedBefore=${before}`, role: 'reporter' })).body;
    expect(survival.n).toBe(2);
    expect(ae.n).toBe(2);
    const figure = (await t.request({ method: 'GET', url: `/v1/reports/survival?endpoint=OS&origin=ENROLLMENT&asOf=${AS_OF}`, role: 'reporter' })).body;
    expect(figure.n).toBe(5);
  });

  it('given no recordedBefore, then 400 names it', async () => {
    const response = await t.request({ method: 'GET', url: `/v1/reports/as-recorded/cumulative-incidence?asOf=${AS_OF}`, role: 'reporter' });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { path: string }) => e.path)).toContain('recordedBefore');
  });
});
