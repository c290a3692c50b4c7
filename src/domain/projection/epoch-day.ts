/**
 * Calendar arithmetic for the projection's hot path. A cohort report projects every
 * patient (100k x ~30 events), and parsing each date through js-joda costs more than
 * the rest of the fold; these are H. Hinnant's days_from_civil / civil_from_days on
 * the 'YYYY-MM-DD' characters, checked against clinical-date.ts in epoch-day.spec.ts.
 * Inputs are valid clinical dates (the edge validates them), years 0001-9999, so every
 * quotient is of a non-negative number and `| 0` floors it. No `Math.*`: global lookups
 * are cheap in plain Node but very slow inside a vm context (jest), where reports are tested.
 */
import type { ClinicalDate } from '../events/clinical-event';

const ZERO = 48;

/** Days since 1970-01-01, as `toEpochDay` in clinical-date.ts. */
export function epochDayOf(date: ClinicalDate): number {
  const year =
    (date.charCodeAt(0) - ZERO) * 1000 + (date.charCodeAt(1) - ZERO) * 100 + (date.charCodeAt(2) - ZERO) * 10 + (date.charCodeAt(3) - ZERO);
  const month = (date.charCodeAt(5) - ZERO) * 10 + (date.charCodeAt(6) - ZERO);
  const day = (date.charCodeAt(8) - ZERO) * 10 + (date.charCodeAt(9) - ZERO);
  // Count years from March so the leap day is the last day of the (shifted) year.
  const y = month <= 2 ? year - 1 : year;
  const era = (y / 400) | 0;
  const yearOfEra = y - era * 400;
  const shiftedMonth = month > 2 ? month - 3 : month + 9;
  const dayOfYear = (((153 * shiftedMonth + 2) / 5) | 0) + day - 1;
  const dayOfEra = yearOfEra * 365 + ((yearOfEra / 4) | 0) - ((yearOfEra / 100) | 0) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;
const pad4 = (n: number): string => (n < 10 ? '000' : n < 100 ? '00' : n < 1000 ? '0' : '') + n;

/** The date `epochDay` days after 1970-01-01, as `fromEpochDay` in clinical-date.ts. */
export function dateOfEpochDay(epochDay: number): ClinicalDate {
  const z = epochDay + 719468;
  const era = (z / 146097) | 0;
  const dayOfEra = z - era * 146097;
  const yearOfEra = ((dayOfEra - ((dayOfEra / 1460) | 0) + ((dayOfEra / 36524) | 0) - ((dayOfEra / 146096) | 0)) / 365) | 0;
  const dayOfYear = dayOfEra - (365 * yearOfEra + ((yearOfEra / 4) | 0) - ((yearOfEra / 100) | 0));
  const shiftedMonth = ((5 * dayOfYear + 2) / 153) | 0;
  const day = dayOfYear - (((153 * shiftedMonth + 2) / 5) | 0) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${pad4(year)}-${pad2(month)}-${pad2(day)}`;
}

// Reports ask for the same few thousand dates (Day +100, milestone due dates) over and
// over: a flat table of the years 1950-2149, filled on demand ('' = not yet formatted).
const CACHE_FROM = -7305; // 1950-01-01
const CACHE_SIZE = 73049; // to 2149-12-31
const formatted: string[] = new Array<string>(CACHE_SIZE).fill('');

/** `dateOfEpochDay`, memoized: the projection formats a dozen dates per patient. */
export function dateOfEpochDayCached(epochDay: number): ClinicalDate {
  const index = epochDay - CACHE_FROM;
  if (index < 0 || index >= CACHE_SIZE) return dateOfEpochDay(epochDay);
  let date = formatted[index];
  if (date === '') {
    date = dateOfEpochDay(epochDay);
    formatted[index] = date;
  }
  return date;
}
