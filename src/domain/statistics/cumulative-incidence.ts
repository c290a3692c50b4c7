import { assertTime, atRiskOn, lastStepAtOrBefore, pastUndefinedEnd } from './kaplan-meier';
import { assertConfidence, twoSidedZ } from './special-functions';

/** Competing-risks outcome codes: 0 censored, 1 relapse, 2 non-relapse mortality. */
export type CompetingCause = 0 | 1 | 2;

export interface CompetingRiskObservation {
  readonly time: number;
  readonly cause: CompetingCause;
}

export interface CumulativeIncidenceOptions {
  readonly milestones?: readonly number[];
  /** Two-sided confidence level; default 0.95. */
  readonly confidence?: number;
}

export interface IncidenceStep {
  readonly day: number;
  /** Subjects with time >= day. */
  readonly atRisk: number;
  /** Events of this cause on the day. */
  readonly events: number;
  /** Aalen-Johansen cumulative incidence of this cause by the end of the day. */
  readonly estimate: number;
  /** Aalen (1978) asymptotic variance, as cmprsk::cuminc computes it. */
  readonly variance: number;
}

export interface IncidenceMilestone {
  readonly day: number;
  readonly estimate: number | null;
  readonly variance: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
  /** Subjects with time >= day (for the at-risk row under a plot). */
  readonly atRisk: number;
}

export interface CauseIncidence {
  readonly events: number;
  readonly milestones: readonly IncidenceMilestone[];
  readonly steps: readonly IncidenceStep[];
}

export interface CumulativeIncidence {
  readonly n: number;
  readonly censored: number;
  readonly relapse: CauseIncidence;
  readonly nonRelapseMortality: CauseIncidence;
}

interface CauseAccumulator {
  /** Cumulative incidence so far. */
  estimate: number;
  /** The three running sums of Gray's cinc routine (cmprsk src/cincsub.f). */
  v1: number;
  v2: number;
  v3: number;
  events: number;
  readonly steps: IncidenceStep[];
}

/**
 * Aalen-Johansen cumulative incidence of relapse and of non-relapse mortality,
 * each the other's competing risk:
 *   F_k(t) = sum over event days t_j <= t of S(t_j-) d_kj / n_j,
 * S the all-cause Kaplan-Meier estimate. Variance: Aalen's (1978) asymptotic
 * estimator with Gray's correction for tied events, exactly as R cmprsk::cuminc
 * computes it (see README.md). One sort, one pass.
 */
export function cumulativeIncidence(
  observations: readonly CompetingRiskObservation[],
  options: CumulativeIncidenceOptions = {},
): CumulativeIncidence {
  const confidence = options.confidence ?? 0.95;
  assertConfidence(confidence);
  const z = twoSidedZ(confidence);
  const groups = groupCompetingByTime(observations);

  const causes: [CauseAccumulator, CauseAccumulator] = [newAccumulator(), newAccumulator()];
  let atRisk = observations.length;
  let survivalBefore = 1; // all-cause KM just before the current day
  let censored = 0;
  for (const group of groups) {
    const failures = group.counts[1] + group.counts[2];
    const survivalAfter = failures > 0 ? (survivalBefore * (atRisk - failures)) / atRisk : survivalBefore;
    for (const k of [1, 2] as const) {
      const own = causes[k - 1];
      const d = group.counts[k];
      own.estimate += d > 0 ? (survivalBefore * d) / atRisk : 0;
    }
    for (const k of [1, 2] as const) {
      accumulateVariance(causes[k - 1], group.counts[k], group.counts[k === 1 ? 2 : 1], atRisk, survivalBefore, survivalAfter);
    }
    for (const k of [1, 2] as const) {
      const own = causes[k - 1];
      own.events += group.counts[k];
      own.steps.push({
        day: group.time,
        atRisk,
        events: group.counts[k],
        estimate: own.estimate,
        variance: varianceOf(own),
      });
    }
    censored += group.counts[0];
    atRisk -= failures + group.counts[0];
    survivalBefore = survivalAfter;
  }

  const milestones = options.milestones ?? [];
  // All-cause survival 0 after the last day (exactly: the factor is (n - n) / n):
  // everyone left at risk then failed, so no one remains whose cause is unknown
  // and every F_k keeps its last value for good.
  const settled = survivalBefore === 0;
  const report = (cause: CauseAccumulator): CauseIncidence => ({
    events: cause.events,
    steps: cause.steps,
    milestones: milestones.map((day) => incidenceMilestone(cause.steps, day, z, settled)),
  });
  return { n: observations.length, censored, relapse: report(causes[0]), nonRelapseMortality: report(causes[1]) };
}

function newAccumulator(): CauseAccumulator {
  return { estimate: 0, v1: 0, v2: 0, v3: 0, events: 0, steps: [] };
}

/**
 * One day's contribution to the variance of F_k, for d own-cause and e
 * competing failures among n at risk, S- and S the all-cause survival before
 * and after the day, F = F_k after the day. With the tie factor
 * tau(m) = 1 - (m - 1) / (n - 1) and weight w(m) = S-^2 tau(m) m / n^2:
 *   competing failures (when S > 0): (a, b) = (1/S, F/S)
 *   own failures:                    (a, b) = (1/S or 0 when S = 0, 1 + a F)
 * each add w a^2, w a b, w b^2 to v3, v2, v1; Var F_k(t) = v1 + F^2 v3 - 2 F v2,
 * i.e. the sum of w (b - F(t) a)^2. Competing terms are added first, with this
 * day's F, as cincsub.f does.
 */
function accumulateVariance(cause: CauseAccumulator, own: number, competing: number, n: number, before: number, after: number): void {
  const add = (m: number, a: number, b: number): void => {
    const tau = m > 1 ? 1 - (m - 1) / (n - 1) : 1;
    const w = (before * before * tau * m) / (n * n);
    cause.v1 += b * b * w;
    cause.v2 += a * b * w;
    cause.v3 += a * a * w;
  };
  if (competing > 0 && after > 0) add(competing, 1 / after, cause.estimate / after);
  if (own > 0) {
    const a = after > 0 ? 1 / after : 0;
    add(own, a, 1 + a * cause.estimate);
  }
}

function varianceOf(cause: CauseAccumulator): number {
  const f = cause.estimate;
  // The three sums cancel to the variance; clamp the round-off that can leave it a hair below 0.
  return Math.max(0, cause.v1 + f * f * cause.v3 - 2 * f * cause.v2);
}

/**
 * Pointwise interval on the log(-log F) scale, F^exp(+-z sd / (F log F)), the
 * transformation Pintilie (2006, Competing Risks: A Practical Perspective,
 * section 4.2.3) recommends and tidycmprsk uses with cmprsk's variance. Null
 * where it is undefined: F = 0 (nothing has happened yet) or F = 1.
 */
export function cumulativeIncidenceInterval(estimate: number, variance: number, z: number): [number | null, number | null] {
  if (estimate <= 0 || estimate >= 1 || !Number.isFinite(variance)) return [null, null];
  const logF = Math.log(estimate);
  const shift = (z * Math.sqrt(variance)) / (estimate * logF); // negative: log F < 0
  return [Math.pow(estimate, Math.exp(-shift)), Math.pow(estimate, Math.exp(shift))];
}

/**
 * A cause's incidence at a milestone day, read off the last step on or before it.
 * Past the largest observed time it is carried on only when `settled` (the
 * all-cause survival reached 0 at that time: e.g. everyone relapsed gives relapse
 * 1 and NRM 0 from then on, with F_1 + F_2 = 1). Otherwise the largest time holds
 * a censoring whose cause, had it failed, is unknown: undefined there, null.
 * (cmprsk's timepoints gives NA past the last time in both cases; a settled
 * incidence is no extrapolation, so it is carried on here.) Limits follow the step:
 * null at F = 0 or 1, where the log(-log) scale is undefined.
 */
function incidenceMilestone(steps: readonly IncidenceStep[], day: number, z: number, settled: boolean): IncidenceMilestone {
  assertTime(day);
  const index = lastStepAtOrBefore(steps, day);
  const atRisk = atRiskOn(steps, index, day);
  if (pastUndefinedEnd(steps, index, day, () => settled)) {
    return { day, estimate: null, variance: null, lower: null, upper: null, atRisk };
  }
  if (index < 0) return { day, estimate: 0, variance: 0, lower: null, upper: null, atRisk };
  const step = steps[index]!;
  const [lower, upper] = cumulativeIncidenceInterval(step.estimate, step.variance, z);
  return { day, estimate: step.estimate, variance: step.variance, lower, upper, atRisk };
}

interface CompetingGroup {
  readonly time: number;
  /** Counts by cause code: [censored, relapse, non-relapse mortality]. */
  readonly counts: readonly [number, number, number];
}

/** Distinct times in increasing order with counts per cause: one tallying pass, then a sort of the distinct times only. */
function groupCompetingByTime(observations: readonly CompetingRiskObservation[]): CompetingGroup[] {
  const countsAt = new Map<number, [number, number, number]>();
  for (const o of observations) {
    if (o.cause !== 0 && o.cause !== 1 && o.cause !== 2) throw new RangeError(`cause must be 0, 1 or 2, got ${String(o.cause)}`);
    let counts = countsAt.get(o.time);
    if (counts === undefined) {
      assertTime(o.time);
      counts = [0, 0, 0];
      countsAt.set(o.time, counts);
    }
    counts[o.cause]++;
  }
  const order = Float64Array.from(countsAt.keys()).sort();
  return Array.from(order, (time) => ({ time, counts: countsAt.get(time)! }));
}
