import fc from 'fast-check';
import { cumulativeIncidence, cumulativeIncidenceInterval, type CompetingCause, type CompetingRiskObservation } from './cumulative-incidence';
import { kaplanMeier } from './kaplan-meier';
import { twoSidedZ } from './special-functions';

const cohort = (rows: readonly (readonly [number, CompetingCause])[]): CompetingRiskObservation[] =>
  rows.map(([time, cause]) => ({ time, cause }));

/**
 * Ten synthetic patients (R = relapse, N = non-relapse mortality, + censored):
 *   2R  3N  3+  5R  5R  6+  8N  9R  10+  12+
 * Worked by hand, S the all-cause Kaplan-Meier just before each day:
 *   day 2: n 10, S- 1        F_R = 1/10                 = 0.1        S = 9/10
 *   day 3: n 9,  S- 9/10     F_N = 9/10 * 1/9           = 0.1        S = 8/10 (the 3+ leaves after)
 *   day 5: n 7,  S- 8/10     F_R = 0.1 + 8/10 * 2/7     = 23/70      S = 4/7
 *   day 8: n 4,  S- 4/7      F_N = 0.1 + 4/7 * 1/4      = 17/70      S = 3/7
 *   day 9: n 3,  S- 3/7      F_R = 23/70 + 3/7 * 1/3    = 33/70      S = 2/7
 *   and F_R + F_N + S = 33/70 + 17/70 + 20/70 = 1.
 * Variance of F_R at day 5 (Aalen 1978 with Gray's tie factor, cmprsk cincsub.f):
 * each failure day s adds w (b - F(t) a)^2, w = S(s-)^2 tau m / n^2, tau = 1 - (m-1)/(n-1):
 *   day 2 (own, m 1):       w = 1/100,            a = 1/0.9, b = 1 + 0.1/0.9
 *                           (b - (23/70) a)^2 = (1 - (16/70)/0.9)^2 = 0.556563    -> 0.00556563
 *   day 3 (competing, m 1): w = 0.81/81 = 0.01,   a = 1/0.8, b = 0.1/0.8
 *                           ((0.1 - 23/70)/0.8)^2 = 0.081633                    -> 0.00081633
 *   day 5 (own, m 2):       w = 0.64 (5/6) 2/49 = 0.0217687, (b - F a) = 1        -> 0.02176871
 *   Var F_R(5) = 0.02815067
 * and at day 2, Var F_R(2) = 0.01 * ((1 - 0.1)/0.9)^2 = 0.01.
 */
const WORKED = cohort([[2, 1], [3, 2], [3, 0], [5, 1], [5, 1], [6, 0], [8, 2], [9, 1], [10, 0], [12, 0]]);

describe('cumulativeIncidence on a hand-worked example', () => {
  const result = cumulativeIncidence(WORKED, { milestones: [1, 4, 5, 9, 12, 13] });

  it('counts patients, events by cause and censorings', () => {
    expect([result.n, result.relapse.events, result.nonRelapseMortality.events, result.censored]).toEqual([10, 4, 2, 4]);
  });

  it.each([
    [2, 10, 0.1, 0],
    [3, 9, 0.1, 0.1],
    [5, 7, 23 / 70, 0.1],
    [8, 4, 23 / 70, 17 / 70],
    [9, 3, 33 / 70, 17 / 70],
    [12, 1, 33 / 70, 17 / 70],
  ])('day %d: %d at risk, relapse %d, non-relapse mortality %d', (day, atRisk, relapse, nrm) => {
    const r = result.relapse.steps.find((s) => s.day === day)!;
    const m = result.nonRelapseMortality.steps.find((s) => s.day === day)!;
    expect(r.atRisk).toBe(atRisk);
    expect(m.atRisk).toBe(atRisk);
    expect(r.estimate).toBeCloseTo(relapse, 14);
    expect(m.estimate).toBeCloseTo(nrm, 14);
  });

  it('gives the hand-derived Aalen variances', () => {
    expect(result.relapse.steps.find((s) => s.day === 2)!.variance).toBeCloseTo(0.01, 12);
    expect(result.relapse.steps.find((s) => s.day === 5)!.variance).toBeCloseTo(0.02815067, 8);
    // No relapse on days 6 and 8: the variance stays where the day-5 relapses left it.
    expect(result.relapse.steps.find((s) => s.day === 8)!.variance).toBeCloseTo(0.02815067, 8);
  });

  it('reads milestones off the last step on or before the day; nothing before the first event, null past follow-up', () => {
    const [day1, day4, day5, , day12, day13] = result.relapse.milestones;
    expect(day1).toEqual({ day: 1, estimate: 0, variance: 0, lower: null, upper: null, atRisk: 10 });
    expect(day4).toMatchObject({ day: 4, estimate: 0.1, atRisk: 7 });
    expect(day5!.estimate).toBeCloseTo(23 / 70, 14);
    expect(day12).toMatchObject({ day: 12, atRisk: 1 });
    expect(day12!.estimate).toBeCloseTo(33 / 70, 14);
    expect(day13).toEqual({ day: 13, estimate: null, variance: null, lower: null, upper: null, atRisk: 0 });
  });

  it('puts a log(-log) interval around the estimate: F^exp(-+ z sd / (F log F))', () => {
    // Day 4: F = 0.1, sd = 0.1, z = 1.959964: z sd / (F log F) = -0.851201,
    // lower 0.1^exp(0.851201) = 0.1^2.342526 = 0.004545, upper 0.1^exp(-0.851201) = 0.1^0.426890 = 0.374195.
    const day4 = result.relapse.milestones[1]!;
    expect(day4.lower!).toBeCloseTo(0.004545, 6);
    expect(day4.upper!).toBeCloseTo(0.374195, 6);
  });
});

describe('cumulativeIncidence identities', () => {
  const arbCohort = fc.array(
    fc.record({ time: fc.integer({ min: 0, max: 30 }), cause: fc.constantFrom<CompetingCause>(0, 1, 2) }),
    { maxLength: 60 },
  );

  it('without competing events equals 1 - Kaplan-Meier at every time', () => {
    fc.assert(
      fc.property(arbCohort, (rows) => {
        const single = rows.map((r) => ({ time: r.time, cause: (r.cause === 2 ? 1 : r.cause) as CompetingCause }));
        const cif = cumulativeIncidence(single).relapse.steps;
        const km = kaplanMeier(single.map((r) => ({ time: r.time, event: r.cause === 1 }))).steps;
        expect(cif.map((s) => s.day)).toEqual(km.map((s) => s.day));
        cif.forEach((step, i) => expect(step.estimate).toBeCloseTo(1 - km[i]!.survival, 12));
      }),
    );
  });

  it('CIF relapse + CIF non-relapse mortality + all-cause Kaplan-Meier = 1 at every time', () => {
    fc.assert(
      fc.property(arbCohort, (rows) => {
        const result = cumulativeIncidence(rows);
        const km = kaplanMeier(rows.map((r) => ({ time: r.time, event: r.cause !== 0 }))).steps;
        km.forEach((step, i) => {
          expect(result.relapse.steps[i]!.estimate + result.nonRelapseMortality.steps[i]!.estimate + step.survival).toBeCloseTo(1, 12);
        });
      }),
    );
  });

  it('keeps each CIF non-decreasing with a non-negative variance and the estimate inside its interval', () => {
    const z = twoSidedZ(0.95);
    fc.assert(
      fc.property(arbCohort, (rows) => {
        for (const cause of [cumulativeIncidence(rows).relapse, cumulativeIncidence(rows).nonRelapseMortality]) {
          cause.steps.forEach((step, i) => {
            if (i > 0) expect(step.estimate).toBeGreaterThanOrEqual(cause.steps[i - 1]!.estimate);
            expect(step.variance).toBeGreaterThanOrEqual(0);
            const [lower, upper] = cumulativeIncidenceInterval(step.estimate, step.variance, z);
            if (lower !== null) expect(lower).toBeLessThanOrEqual(step.estimate);
            if (upper !== null) expect(upper).toBeGreaterThanOrEqual(step.estimate);
          });
        }
      }),
    );
  });
});

describe('cumulativeIncidence past the last observed time', () => {
  // Determined only when the all-cause survival reached 0 at the last time (no
  // one left whose cause is unknown): each incidence keeps its last value. A
  // censoring at the last time, alone or tied with failures, leaves it undefined.
  it.each([
    ['everyone relapsed', [[50, 1], [100, 1], [200, 1]], [365, 730], [1, 1], [0, 0]],
    // Day 50 R 1/4 (S 3/4); day 100 N 3/4 * 1/3 = 1/4 (S 1/2); day 200 R + 1/2 * 1/2 (S 1/4); day 300 N + 1/4 (S 0).
    ['a mix of relapse and NRM with no one left', [[50, 1], [100, 2], [200, 1], [300, 2]], [365, 730], [0.5, 0.5], [0.5, 0.5]],
    ['the last failure exactly on the milestone day', [[50, 2], [365, 1]], [365, 730], [0.5, 0.5], [0.5, 0.5]],
    ['the last observation censored before the milestone', [[50, 1], [100, 2], [300, 0]], [300, 365], [1 / 3, null], [1 / 3, null]],
    ['a censoring after the last failure', [[50, 1], [100, 1], [300, 0]], [250, 365], [2 / 3, null], [0, null]],
    ['a failure and a censoring tied on the last day', [[50, 1], [100, 1], [100, 0]], [100, 365], [2 / 3, null], [0, null]],
  ] as const)('given %s (%j): on days %j relapse %j, NRM %j', (_what, rows, milestones, relapse, nrm) => {
    const result = cumulativeIncidence(cohort(rows), { milestones });
    for (const [cause, expected] of [[result.relapse, relapse], [result.nonRelapseMortality, nrm]] as const) {
      cause.milestones.forEach((m, i) => {
        if (expected[i] === null) expect(m).toEqual({ day: milestones[i], estimate: null, variance: null, lower: null, upper: null, atRisk: 0 });
        else expect(m.estimate!).toBeCloseTo(expected[i]!, 14);
      });
    }
  });

  it('given everyone relapsed, relapse is 1 and NRM 0 past the end, both without limits (log(-log) is undefined at 0 and 1)', () => {
    const result = cumulativeIncidence(cohort([[50, 1], [100, 1], [200, 1]]), { milestones: [365] });
    const last = result.relapse.steps[2]!;
    expect(result.relapse.milestones[0]).toEqual({ day: 365, estimate: 1, variance: last.variance, lower: null, upper: null, atRisk: 0 });
    expect(result.nonRelapseMortality.milestones[0]).toEqual({ day: 365, estimate: 0, variance: 0, lower: null, upper: null, atRisk: 0 });
  });

  it('given a mix with no one left, carries the last step on: both incidences and the all-cause survival sum to 1', () => {
    const rows = cohort([[50, 1], [100, 2], [200, 1], [300, 2]]);
    const result = cumulativeIncidence(rows, { milestones: [365] });
    const survival = kaplanMeier(rows.map((r) => ({ time: r.time, event: r.cause !== 0 })), { milestones: [365] }).milestones[0]!.survival;
    const [relapse, nrm] = [result.relapse, result.nonRelapseMortality].map((c) => c.milestones[0]!);
    expect(survival).toBe(0);
    expect(relapse!.estimate! + nrm!.estimate! + survival!).toBeCloseTo(1, 14);
    // Same estimate, variance and interval as the step table's last row (0 < F < 1: the interval exists).
    const last = result.relapse.steps[3]!;
    expect(relapse).toMatchObject({ estimate: last.estimate, variance: last.variance, atRisk: 0 });
    expect([relapse!.lower, relapse!.upper]).toEqual(cumulativeIncidenceInterval(last.estimate, last.variance, twoSidedZ(0.95)));
    expect(relapse!.lower).not.toBeNull();
  });
});

describe('cumulativeIncidence at the edges', () => {
  it('given an empty cohort, estimates nothing', () => {
    const result = cumulativeIncidence([], { milestones: [365] });
    expect(result).toMatchObject({ n: 0, censored: 0 });
    expect(result.relapse).toEqual({ events: 0, steps: [], milestones: [{ day: 365, estimate: null, variance: null, lower: null, upper: null, atRisk: 0 }] });
  });

  it('given everyone censored, both incidences stay 0', () => {
    const result = cumulativeIncidence(cohort([[10, 0], [20, 0]]), { milestones: [15] });
    expect(result.relapse.steps.map((s) => s.estimate)).toEqual([0, 0]);
    expect(result.nonRelapseMortality.milestones[0]).toEqual({ day: 15, estimate: 0, variance: 0, lower: null, upper: null, atRisk: 1 });
  });

  it('given every patient relapsing, relapse incidence reaches 1 with no interval', () => {
    const result = cumulativeIncidence(cohort([[1, 1], [2, 1]]), { milestones: [2] });
    expect(result.relapse.milestones[0]).toMatchObject({ estimate: 1, lower: null, upper: null });
  });

  it('given a relapse, a death and a censoring on one day, both failures see the censored patient at risk', () => {
    const result = cumulativeIncidence(cohort([[4, 1], [4, 2], [4, 0], [9, 0]]));
    expect(result.relapse.steps[0]).toMatchObject({ day: 4, atRisk: 4, events: 1, estimate: 0.25 });
    expect(result.nonRelapseMortality.steps[0]).toMatchObject({ day: 4, atRisk: 4, events: 1, estimate: 0.25 });
  });

  it('given a single patient, the one event is certain; the variance is what cmprsk reports there', () => {
    // cincsub.f with S = 0 after the day: a = 0, b = 1, w = 1^2 * 1 / 1^2, so Var = 1.
    // An artefact of the estimator at F = 1, kept so the numbers match R; no interval is given.
    const result = cumulativeIncidence(cohort([[30, 2]]), { milestones: [30] });
    expect(result.nonRelapseMortality.steps).toEqual([{ day: 30, atRisk: 1, events: 1, estimate: 1, variance: 1 }]);
    expect(result.nonRelapseMortality.milestones[0]).toMatchObject({ estimate: 1, lower: null, upper: null });
    expect(result.relapse.steps).toEqual([{ day: 30, atRisk: 1, events: 0, estimate: 0, variance: 0 }]);
  });

  it.each([
    ['an unknown cause', [{ time: 1, cause: 3 as CompetingCause }]],
    ['a negative time', [{ time: -2, cause: 1 as CompetingCause }]],
  ])('rejects %s', (_what, rows) => {
    expect(() => cumulativeIncidence(rows)).toThrow(RangeError);
  });

  it('handles 100,000 patients well inside 100 ms', () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => ({ time: (i * 7919) % 1500, cause: (i % 3) as CompetingCause }));
    cumulativeIncidence(rows);
    const timings = [0, 1, 2].map(() => {
      const started = performance.now();
      cumulativeIncidence(rows, { milestones: [365, 730] });
      return performance.now() - started;
    });
    expect(Math.min(...timings)).toBeLessThan(100);
  });
});
