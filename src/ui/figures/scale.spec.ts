import fc from 'fast-check';
import { epochDayOf } from '../../domain/projection/epoch-day';
import { calendarTicks, dayLabel, linearScale, niceStep, niceTicks } from './scale';

describe('linearScale', () => {
  it('given a domain and a range, then the ends map to the ends and the middle to the middle', () => {
    const x = linearScale([0, 100], [50, 250]);
    expect([x(0), x(50), x(100)]).toEqual([50, 150, 250]);
  });

  it('given an inverted range (a y axis), then larger values are higher up', () => {
    const y = linearScale([0, 1], [300, 0]);
    expect(y(0.75)).toBe(75);
  });

  it('given a one-point domain, then every value maps to the middle of the range', () => {
    expect(linearScale([5, 5], [0, 10])(5)).toBe(5);
  });
});

describe('niceTicks', () => {
  it.each([
    [0, 730, 6, [0, 100, 200, 300, 400, 500, 600, 700, 800]],
    [0, 1, 4, [0, 0.2, 0.4, 0.6, 0.8, 1]],
    [-62, 290, 8, [-100, -50, 0, 50, 100, 150, 200, 250, 300]],
    [0, 30, 6, [0, 5, 10, 15, 20, 25, 30]],
  ])('given %d..%d in about %d steps, then the ticks are %j', (from, to, count, expected) => {
    expect(niceTicks(from, to, count)).toEqual(expected);
  });

  it('given any span, then the ticks are evenly spaced by 1, 2 or 5 times a power of ten and cover it', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: 1, max: 20000 }), fc.integer({ min: 2, max: 12 }), (from, span, count) => {
        const ticks = niceTicks(from, from + span, count);
        const step = niceStep(span, count);
        expect(ticks[0]).toBeLessThanOrEqual(from);
        expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(from + span);
        for (let i = 1; i < ticks.length; i++) expect(ticks[i] - ticks[i - 1]).toBeCloseTo(step, 6);
        const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
        expect([1, 2, 5]).toContainEqual(Math.round(mantissa * 1e6) / 1e6);
        expect(ticks.length).toBeLessThanOrEqual(2 * count + 2);
      }),
    );
  });
});

describe('calendarTicks', () => {
  it('given ten months, then the ticks are the first of each month', () => {
    const ticks = calendarTicks(epochDayOf('2025-12-10'), epochDayOf('2026-04-20'), 8);
    expect(ticks.map((t) => t.label)).toEqual(['2026-01', '2026-02', '2026-03', '2026-04']);
    expect(ticks[0].day).toBe(epochDayOf('2026-01-01'));
  });

  it('given three years, then the ticks are every sixth month or wider', () => {
    const ticks = calendarTicks(epochDayOf('2024-01-15'), epochDayOf('2027-01-15'), 8);
    expect(ticks.map((t) => t.label)).toEqual(['2024-07', '2025-01', '2025-07', '2026-01', '2026-07', '2027-01']);
  });

  it('given any range, then every tick is a first of the month inside it, in order, at most about the count asked', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30000 }), fc.integer({ min: 0, max: 4000 }), (from, span) => {
        const ticks = calendarTicks(from, from + span, 8);
        for (const t of ticks) {
          expect(t.day).toBeGreaterThanOrEqual(from);
          expect(t.day).toBeLessThanOrEqual(from + span);
        }
        for (let i = 1; i < ticks.length; i++) expect(ticks[i].day).toBeGreaterThan(ticks[i - 1].day);
        expect(ticks.length).toBeLessThanOrEqual(9);
      }),
    );
  });
});

describe('dayLabel', () => {
  it.each([
    [0, '0'],
    [30, '+30'],
    [-14, '-14'],
  ])('given day %d, then it reads %s', (day, label) => {
    expect(dayLabel(day)).toBe(label);
  });
});
