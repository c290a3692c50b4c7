import fc from 'fast-check';
import { addDays, compareDates, daysBetween, fromEpochDay, isClinicalDate, toEpochDay, utcDateOf } from './clinical-date';

const anyDate = fc.integer({ min: toEpochDay('1900-01-01'), max: toEpochDay('2199-12-31') }).map(fromEpochDay);

describe('clinical dates', () => {
  describe('isClinicalDate', () => {
    it.each([
      ['2026-01-05', true],
      ['2024-02-29', true], // leap year
      ['2000-02-29', true], // divisible by 400: leap
      ['2025-02-29', false],
      ['1900-02-29', false], // divisible by 100, not 400: not leap
      ['2026-02-30', false],
      ['2026-04-31', false],
      ['2026-12-31', true],
      ['2026-13-01', false],
      ['2026-00-10', false],
      ['2026-01-00', false],
      ['2026-1-05', false],
      ['26-01-05', false],
      [' 2026-01-05', false],
      ['2026-01-05 ', false],
      ['2026-01-05T00:00:00Z', false],
      ['2026/01/05', false],
      ['', false],
    ])('given %j, then it is a clinical date: %s', (value, expected) => {
      expect(isClinicalDate(value)).toBe(expected);
    });

    it('refuses what is not a string', () => {
      for (const value of [null, undefined, 20260105, new Date('2026-01-05'), ['2026-01-05'], { date: '2026-01-05' }]) {
        expect(isClinicalDate(value)).toBe(false);
      }
    });
  });

  describe('day arithmetic', () => {
    it.each([
      ['2026-01-31', 1, '2026-02-01'],
      ['2026-02-28', 1, '2026-03-01'],
      ['2028-02-28', 1, '2028-02-29'],
      ['2028-02-29', 1, '2028-03-01'],
      ['2026-12-31', 1, '2027-01-01'],
      ['2027-01-01', -1, '2026-12-31'],
      ['2026-10-01', 100, '2027-01-09'], // a Day +100 across a year end
      ['2028-01-01', 100, '2028-04-10'], // across a leap day
      ['2027-01-01', 100, '2027-04-11'],
      ['2026-03-29', 1, '2026-03-30'], // a European clock change: still one calendar day
      ['2026-11-01', 1, '2026-11-02'], // a US clock change
    ])('given %s, when %d days are added, then it is %s, and daysBetween says so back', (from, days, to) => {
      expect(addDays(from, days)).toBe(to);
      expect(daysBetween(from, to)).toBe(days);
      expect(daysBetween(to, from)).toBe(-days);
    });

    it('adds back what daysBetween counts, for any two dates', () => {
      fc.assert(
        fc.property(anyDate, anyDate, (a, b) => {
          expect(addDays(a, daysBetween(a, b))).toBe(b);
          expect(Math.sign(daysBetween(a, b))).toBe(compareDates(a, b) === 0 ? 0 : -compareDates(a, b));
        }),
        { numRuns: 2000 },
      );
    });

    it('writes back the date it read, and only real dates come out', () => {
      fc.assert(
        fc.property(anyDate, (date) => {
          expect(isClinicalDate(date)).toBe(true);
          expect(fromEpochDay(toEpochDay(date))).toBe(date);
        }),
        { numRuns: 2000 },
      );
    });
  });

  describe('utcDateOf', () => {
    it.each([
      ['2026-06-30T23:59:59.999Z', '2026-06-30'],
      ['2026-07-01T00:00:00.000Z', '2026-07-01'],
      ['2026-07-01T01:30:00+02:00', '2026-06-30'], // still 30 June in UTC
      ['2026-06-30T20:00:00-05:00', '2026-07-01'], // already 1 July in UTC
      ['2028-02-29T12:00:00Z', '2028-02-29'],
    ])('given the instant %s, then the UTC date is %s', (instant, date) => {
      expect(utcDateOf(new Date(instant))).toBe(date);
    });
  });
});
