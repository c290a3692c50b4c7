/**
 * The few special functions the cohort statistics need, written out here so the
 * domain stays free of numeric dependencies. Each is the published algorithm,
 * named with its source, and checked in special-functions.spec.ts against
 * reference values.
 */

/**
 * Quantile of the standard normal distribution (the inverse of Phi).
 *
 * Wichura MJ (1988). Algorithm AS 241: The percentage points of the normal
 * distribution. Applied Statistics 37(3):477-484 (PPND16, about 1e-16 relative
 * accuracy; the same algorithm R's qnorm uses).
 */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) throw new RangeError(`normalQuantile: p must lie in [0, 1], got ${p}`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r +
          45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r +
          133.14166789178437745) * r + 3.3871328727963666080)) /
      (((((((5226.4952788528545610 * r + 28729.085735721942674) * r + 39307.895800092710610) * r +
        21213.794301586595867) * r + 5394.1960214247511077) * r + 687.18700749205790830) * r +
        42.313330701600911252) * r + 1)
    );
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let value: number;
  if (r <= 5) {
    r -= 1.6;
    value =
      (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r + 2.41780725177450611770e-1) * r +
        1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.76949722146069140550) * r +
        4.63033784615654529590) * r + 1.42343711074968357734) /
      (((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r + 1.51986665636164571966e-2) * r +
        1.48103976427480074590e-1) * r + 6.89767334985100004550e-1) * r + 1.67638483018380384940) * r +
        2.05319162663775882187) * r + 1);
  } else {
    r -= 5;
    value =
      (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 1.24266094738807843860e-3) * r +
        2.65321895265761230930e-2) * r + 2.96560571828504891230e-1) * r + 1.78482653991729133580) * r +
        5.46378491116411436990) * r + 6.65790464350110377720) /
      (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r + 1.84631831751005468180e-5) * r +
        7.86869131145613259100e-4) * r + 1.48753612908506148525e-2) * r + 1.36929880922735805310e-1) * r +
        5.99832206555887937690e-1) * r + 1);
  }
  return q < 0 ? -value : value;
}

/** The two-sided critical value z for a confidence level, e.g. 1.959964 for 0.95. */
export function twoSidedZ(confidence: number): number {
  assertConfidence(confidence);
  return normalQuantile(1 - (1 - confidence) / 2);
}

export function assertConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must lie strictly between 0 and 1, got ${confidence}`);
}

// Lanczos approximation, g = 7, n = 9 (Godfrey's coefficients, as in Press et al.,
// Numerical Recipes 3rd ed. section 6.1 and most libm-free implementations);
// relative error below 1e-15 for positive arguments.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
] as const;
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** ln Gamma(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma: x must be positive, got ${x}`);
  if (x < 0.5) {
    // Reflection keeps the series in its accurate range: Gamma(x) Gamma(1-x) = pi / sin(pi x).
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  }
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

const CF_EPSILON = 1e-15;
const CF_TINY = 1e-300;
const CF_MAX_ITERATIONS = 100_000;

/**
 * Continued fraction for the incomplete beta function, evaluated with the
 * modified Lentz method (Lentz 1976; Thompson & Barnett 1986; Press et al.,
 * Numerical Recipes 3rd ed. section 6.4, eq. 6.4.5). Converges fast for
 * x < (a + 1) / (a + b + 2); the caller uses the symmetry otherwise.
 */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < CF_TINY) d = CF_TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= CF_MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    // Even step of the recurrence.
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < CF_TINY) d = CF_TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < CF_TINY) c = CF_TINY;
    d = 1 / d;
    h *= d * c;
    // Odd step.
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < CF_TINY) d = CF_TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < CF_TINY) c = CF_TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < CF_EPSILON) return h;
  }
  throw new Error(`incomplete beta continued fraction did not converge (a=${a}, b=${b}, x=${x})`);
}

/** The regularized incomplete beta function I_x(a, b) = P(Beta(a, b) <= x), for a, b > 0. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new RangeError(`incomplete beta: a and b must be positive, got a=${a}, b=${b}`);
  if (Number.isNaN(x) || x < 0 || x > 1) throw new RangeError(`incomplete beta: x must lie in [0, 1], got ${x}`);
  if (x === 0) return 0;
  if (x === 1) return 1;
  const front = Math.exp(a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/**
 * The p-quantile of Beta(a, b): the x with I_x(a, b) = p.
 * Closed forms where one shape parameter is 1 (the Clopper-Pearson bounds at
 * x = 0 and x = n); otherwise bisection on the monotone I_x, which cannot fail
 * to converge and costs nothing at the sizes a trial report needs.
 */
export function betaQuantile(p: number, a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new RangeError(`beta quantile: a and b must be positive, got a=${a}, b=${b}`);
  if (Number.isNaN(p) || p < 0 || p > 1) throw new RangeError(`beta quantile: p must lie in [0, 1], got ${p}`);
  if (p === 0) return 0;
  if (p === 1) return 1;
  if (a === 1) return -Math.expm1(Math.log1p(-p) / b); // I_x(1, b) = 1 - (1 - x)^b
  if (b === 1) return Math.exp(Math.log(p) / a); // I_x(a, 1) = x^a
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (regularizedIncompleteBeta(mid, a, b) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
