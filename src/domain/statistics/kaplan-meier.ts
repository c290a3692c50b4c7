import { assertConfidence, twoSidedZ } from './special-functions';

/** One subject: time from origin (days, >= 0) to the event or to censoring. */
export interface SurvivalObservation {
  readonly time: number;
  /** true: the event was observed at `time`; false: censored (known event-free up to `time`). */
  readonly event: boolean;
}

export interface KaplanMeierOptions {
  /** Days at which to read the curve off (e.g. 365, 730). */
  readonly milestones?: readonly number[];
  /** Two-sided confidence level of the pointwise intervals; default 0.95. */
  readonly confidence?: number;
}

export interface SurvivalStep {
  readonly day: number;
  /** Subjects with time >= day (at risk just before day). */
  readonly atRisk: number;
  readonly events: number;
  readonly censored: number;
  /** S(day): the product-limit estimate just after day. */
  readonly survival: number;
  /**
   * Greenwood standard error of S(day), S * sqrt(sum d / (n (n - d))), the column
   * R's summary.survfit prints as std.err; null once S is 0 (the sum is infinite).
   */
  readonly standardError: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
}

export interface SurvivalMilestone {
  readonly day: number;
  readonly survival: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
  readonly atRisk: number;
}

export interface SurvivalEstimate {
  readonly n: number;
  readonly events: number;
  readonly censored: number;
  readonly median: { readonly days: number | null; readonly lower: number | null; readonly upper: number | null };
  readonly milestones: readonly SurvivalMilestone[];
  readonly steps: readonly SurvivalStep[];
}

/**
 * Kaplan-Meier product-limit estimate with Greenwood variance and pointwise
 * log-log confidence intervals, reproducing R survival::survfit(Surv(time, status) ~ 1,
 * conf.type = "log-log") (see README.md in this folder for the formulas).
 *
 * One sort of the input, then one pass over the distinct times: O(n log n).
 */
export function kaplanMeier(observations: readonly SurvivalObservation[], options: KaplanMeierOptions = {}): SurvivalEstimate {
  const confidence = options.confidence ?? 0.95;
  assertConfidence(confidence);
  const z = twoSidedZ(confidence);
  const groups = groupByTime(observations);
  const n = observations.length;

  const steps: SurvivalStep[] = [];
  let atRisk = n;
  let survival = 1;
  let greenwood = 0;
  let events = 0;
  for (const group of groups) {
    if (group.events > 0) {
      survival *= 1 - group.events / atRisk;
      // The Greenwood term d / (n (n - d)) is infinite when everyone at risk fails;
      // S is then 0 and no interval is defined, as in R.
      greenwood = atRisk > group.events ? greenwood + group.events / (atRisk * (atRisk - group.events)) : Infinity;
    }
    const [lower, upper] = logLogInterval(survival, greenwood, z);
    steps.push({
      day: group.time,
      atRisk,
      events: group.events,
      censored: group.censored,
      survival,
      standardError: Number.isFinite(greenwood) ? survival * Math.sqrt(greenwood) : null,
      lower,
      upper,
    });
    events += group.events;
    atRisk -= group.events + group.censored;
  }

  return {
    n,
    events,
    censored: n - events,
    median: {
      days: firstTimeAtOrBelowHalf(steps, (s) => s.survival),
      lower: firstTimeAtOrBelowHalf(steps, (s) => s.lower),
      upper: firstTimeAtOrBelowHalf(steps, (s) => s.upper),
    },
    milestones: (options.milestones ?? []).map((day) => milestoneOf(steps, day)),
    steps,
  };
}

/**
 * Pointwise interval on the log(-log S) scale: S^exp(+-z se / log S), se the
 * Greenwood standard error of log S. Null where R's survfit_confint gives NA:
 * S = 1 (no event yet, se 0) and S = 0 (log(-log 0) undefined).
 */
export function logLogInterval(survival: number, logVariance: number, z: number): [number | null, number | null] {
  if (survival <= 0 || survival >= 1 || !Number.isFinite(logVariance)) return [null, null];
  const logS = Math.log(survival);
  const shift = (z * Math.sqrt(logVariance)) / logS; // negative: log S < 0
  const centre = Math.log(-logS);
  return [Math.exp(-Math.exp(centre - shift)), Math.exp(-Math.exp(centre + shift))];
}

interface TimeGroup {
  readonly time: number;
  readonly events: number;
  readonly censored: number;
}

/**
 * Distinct times in increasing order with their event and censoring counts.
 * One pass tallies each distinct time in a hash map, then only the distinct
 * times are sorted: O(n + k log k) for k distinct days, which for a cohort
 * followed in whole days is a few thousand whatever n is. Each tie is one
 * group, and the product-limit step at a tied time takes everyone with
 * time >= t as at risk, i.e. events count before the censorings of the same day.
 */
export function groupByTime(observations: readonly SurvivalObservation[]): TimeGroup[] {
  const slotOf = new Map<number, number>();
  const times: number[] = [];
  const events: number[] = [];
  const censored: number[] = [];
  for (const o of observations) {
    let slot = slotOf.get(o.time);
    if (slot === undefined) {
      assertTime(o.time);
      slot = times.length;
      slotOf.set(o.time, slot);
      times.push(o.time);
      events.push(0);
      censored.push(0);
    }
    if (o.event) events[slot]!++;
    else censored[slot]!++;
  }
  const order = Float64Array.from(times).sort();
  return Array.from(order, (time) => {
    const slot = slotOf.get(time)!;
    return { time, events: events[slot]!, censored: censored[slot]! };
  });
}

export function assertTime(time: number): void {
  if (!(Number.isFinite(time) && time >= 0)) throw new RangeError(`survival time must be a finite number of days >= 0, got ${time}`);
}

// R's all.equal tolerance, as survival:::survmean uses it to recognise a curve
// sitting at 0.5 despite round-off (survfit(Surv(1:100) ~ 1) gives 0.5 + 1.1e-16).
const HALF_TOLERANCE = Math.sqrt(Number.EPSILON);

/**
 * The first day a curve (the estimate or one of its bands) is at or below 0.5;
 * where it sits at 0.5 over an interval, the midpoint of that interval's start
 * and the day it next drops. Reproduces survival:::survmean's minmin(): days
 * where the curve is undefined (a null band) are skipped; a curve that stays at
 * 0.5 to the end gives the day it reached 0.5; one that never reaches 0.5 gives null.
 */
function firstTimeAtOrBelowHalf(steps: readonly SurvivalStep[], curve: (step: SurvivalStep) => number | null): number | null {
  for (let i = 0; i < steps.length; i++) {
    const value = curve(steps[i]!);
    if (value === null || value >= 0.5 + HALF_TOLERANCE) continue;
    if (Math.abs(value - 0.5) >= HALF_TOLERANCE) return steps[i]!.day;
    for (let k = i + 1; k < steps.length; k++) {
      const next = curve(steps[k]!);
      if (next !== null && next < value) return (steps[i]!.day + steps[k]!.day) / 2;
    }
    return steps[i]!.day;
  }
  return null;
}

/**
 * The curve at a milestone day: its value at the last step on or before the day
 * (1 with no interval before the first step). Past the largest observed time
 * the estimate is carried on only when the curve has reached 0 there: S can
 * reach 0 only at a time where everyone still at risk has the event, so no one
 * is left whose fate is unknown and S(t) = 0 for every later t. Otherwise the
 * largest time holds a censoring (alone or tied with events, which count first),
 * and past it the product-limit estimator is undefined (Kaplan & Meier 1958;
 * R's summary.survfit likewise drops such times): null, as for an empty cohort.
 * At S = 0 the limits stay null, as on the step they are read from (log(-log 0)
 * is undefined and R's survfit gives NA there); the estimate 0 itself is exact.
 * atRisk counts the subjects whose time is on or after the day.
 */
function milestoneOf(steps: readonly SurvivalStep[], day: number): SurvivalMilestone {
  assertTime(day);
  const index = lastStepAtOrBefore(steps, day);
  const step = index >= 0 ? steps[index] : undefined;
  const atRisk = atRiskOn(steps, index, day);
  if (pastUndefinedEnd(steps, index, day, (last) => last.survival === 0)) return { day, survival: null, lower: null, upper: null, atRisk };
  if (step === undefined) return { day, survival: 1, lower: null, upper: null, atRisk };
  return { day, survival: step.survival, lower: step.lower, upper: step.upper, atRisk };
}

/**
 * Whether the day lies past the last step (or there are no steps) where the
 * estimate is not determined. `endsDetermined` says whether the last step fixes
 * the curve for good (for Kaplan-Meier: S reached 0, exactly 0 since the factor
 * is 1 - n/n). Shared with the cumulative incidence so both follow one rule.
 */
export function pastUndefinedEnd<Step extends { readonly day: number }>(
  steps: readonly Step[],
  index: number,
  day: number,
  endsDetermined: (last: Step) => boolean,
): boolean {
  if (index < 0) return steps.length === 0;
  return index === steps.length - 1 && day > steps[index]!.day && !endsDetermined(steps[index]!);
}

/**
 * Subjects whose time is on or after the day: those at risk at the step on that
 * day, else at the first step after it (no one past the last step).
 */
export function atRiskOn(steps: readonly { readonly day: number; readonly atRisk: number }[], index: number, day: number): number {
  if (index >= 0 && steps[index]!.day === day) return steps[index]!.atRisk;
  return index + 1 < steps.length ? steps[index + 1]!.atRisk : 0;
}

/** Index of the last step with day <= the given day, -1 if none (binary search). */
export function lastStepAtOrBefore(steps: readonly { readonly day: number }[], day: number): number {
  let lo = 0;
  let hi = steps.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (steps[mid]!.day <= day) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
