import { assertConfidence, betaQuantile } from './special-functions';

export interface ProportionInterval {
  readonly estimate: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
}

/**
 * Exact (Clopper-Pearson 1934) confidence interval for a binomial proportion
 * x / n: the bounds are the Beta quantiles
 *   lower = B^-1(alpha/2; x, n - x + 1)      (0 when x = 0)
 *   upper = B^-1(1 - alpha/2; x + 1, n - x)  (1 when x = n)
 * equivalently the p at which P(X >= x) resp. P(X <= x) equals alpha/2 under
 * Binomial(n, p). This is what R's binom.test reports. With five patients a
 * normal approximation would be wrong (docs/clinical-rules.md section 8). All null for n = 0:
 * no patients, no proportion.
 */
export function clopperPearson(x: number, n: number, confidence = 0.95): ProportionInterval {
  assertConfidence(confidence);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`clopperPearson: n must be a whole number >= 0, got ${n}`);
  if (!Number.isInteger(x) || x < 0 || x > n) throw new RangeError(`clopperPearson: x must be a whole number in [0, n=${n}], got ${x}`);
  if (n === 0) return { estimate: null, lower: null, upper: null };
  const alpha = 1 - confidence;
  return {
    estimate: x / n,
    lower: x === 0 ? 0 : betaQuantile(alpha / 2, x, n - x + 1),
    upper: x === n ? 1 : betaQuantile(1 - alpha / 2, x + 1, n - x),
  };
}
