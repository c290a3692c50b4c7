import fc from 'fast-check';
import { fromEpochDay, toEpochDay } from '../calendar/clinical-date';
import { dateOfEpochDay, dateOfEpochDayCached, epochDayOf } from './epoch-day';

describe('epochDayOf / dateOfEpochDay', () => {
  it.each([
    ['1970-01-01', 0],
    ['1969-12-31', -1],
    ['2000-02-29', 11016],
    ['2028-02-28', 21242],
    ['2028-02-29', 21243],
    ['2028-03-01', 21244],
    ['2100-03-01', 47541],
    ['0001-01-01', -719162],
    ['9999-12-31', 2932896],
  ])('given %s, when converted, then it is epoch day %d both ways', (date, epochDay) => {
    expect(epochDayOf(date)).toBe(epochDay);
    expect(dateOfEpochDay(epochDay)).toBe(date);
  });

  it('agrees with clinical-date.ts (js-joda) on every date of years 1-9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: toEpochDay('0001-01-01'), max: toEpochDay('9999-12-31') }), (epochDay) => {
        const date = fromEpochDay(epochDay);
        expect(dateOfEpochDay(epochDay)).toBe(date);
        expect(epochDayOf(date)).toBe(toEpochDay(date));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with clinical-date.ts across every day of 2024-2032 (leap years and month ends)', () => {
    for (let epochDay = toEpochDay('2024-01-01'); epochDay <= toEpochDay('2032-12-31'); epochDay++) {
      const date = fromEpochDay(epochDay);
      expect(epochDayOf(date)).toBe(epochDay);
      expect(dateOfEpochDay(epochDay)).toBe(date);
    }
  });

  it.each([
    ['before the cached years', '1949-12-31'],
    ['the first cached day', '1950-01-01'],
    ['a leap day', '2028-02-29'],
    ['the last cached day', '2149-12-31'],
    ['after the cached years', '2150-01-01'],
  ])('given %s (%s), when formatted twice through the cache, then both agree with js-joda', (_name, date) => {
    expect(dateOfEpochDayCached(toEpochDay(date))).toBe(date);
    expect(dateOfEpochDayCached(toEpochDay(date))).toBe(date);
  });
});
