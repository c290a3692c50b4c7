import fc from 'fast-check';
import { clopperPearson } from './clopper-pearson';

/** Exact binomial upper tail P(X >= x) under Binomial(n, p), summed term by term in log space. */
function binomialUpperTail(x: number, n: number, p: number): number {
  let logChoose = 0; // log C(n, 0)
  let total = 0;
  for (let k = 0; k <= n; k++) {
    if (k > 0) logChoose += Math.log(n - k + 1) - Math.log(k);
    if (k >= x) total += Math.exp(logChoose + k * Math.log(p) + (n - k) * Math.log1p(-p));
  }
  return total;
}

describe('clopperPearson', () => {
  // Exact 95% limits as published in the standard tables (Documenta Geigy
  // Scientific Tables; Clopper & Pearson 1934) and printed by R's binom.test(x, n).
  it.each([
    [0, 5, 0, 0.5218],
    [1, 5, 0.0051, 0.7164],
    [2, 5, 0.0527, 0.8534],
    [3, 5, 0.1466, 0.9473],
    [5, 5, 0.4782, 1],
    [3, 10, 0.0667, 0.6525],
    [0, 10, 0, 0.3085],
    [10, 10, 0.6915, 1],
  ])('x = %d of n = %d: %d to %d', (x, n, lower, upper) => {
    const interval = clopperPearson(x, n);
    expect(interval.estimate).toBe(x / n);
    expect(interval.lower!).toBeCloseTo(lower, 4);
    expect(interval.upper!).toBeCloseTo(upper, 4);
  });

  it('returns exact 0 and 1 at the ends (no rounding from the quantile search)', () => {
    expect(clopperPearson(0, 5).lower).toBe(0);
    expect(clopperPearson(5, 5).upper).toBe(1);
  });

  it('given no patients, has no proportion', () => {
    expect(clopperPearson(0, 0)).toEqual({ estimate: null, lower: null, upper: null });
  });

  it.each([
    [-1, 5],
    [6, 5],
    [1.5, 5],
    [1, 5.5],
    [0, -1],
  ])('rejects x = %d, n = %d', (x, n) => {
    expect(() => clopperPearson(x, n)).toThrow(RangeError);
  });

  it('rejects a confidence outside (0, 1)', () => {
    expect(() => clopperPearson(1, 5, 1)).toThrow(RangeError);
  });

  it('puts alpha/2 in each binomial tail at its bounds, for any x and n', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n))),
        fc.constantFrom(0.9, 0.95, 0.99),
        ([x, n], confidence) => {
          const { lower, upper } = clopperPearson(x, n, confidence);
          const halfAlpha = (1 - confidence) / 2;
          if (x > 0) expect(binomialUpperTail(x, n, lower!)).toBeCloseTo(halfAlpha, 9);
          if (x < n) expect(1 - binomialUpperTail(x + 1, n, upper!)).toBeCloseTo(halfAlpha, 9);
          expect(lower!).toBeLessThanOrEqual(x / n);
          expect(upper!).toBeGreaterThanOrEqual(x / n);
        },
      ),
    );
  });
});
