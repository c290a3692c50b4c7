import { DateTimeParseException, LocalDate, ResolverStyle, DateTimeFormatter } from '@js-joda/core';
import type { ClinicalDate } from '../events/clinical-event';

// STRICT resolving makes 2026-02-30 an error instead of rolling it to 2026-02-28.
const ISO_STRICT = DateTimeFormatter.ofPattern('uuuu-MM-dd').withResolverStyle(ResolverStyle.STRICT);
const SHAPE = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isClinicalDate(value: unknown): value is ClinicalDate {
  if (typeof value !== 'string' || !SHAPE.test(value)) return false;
  try {
    LocalDate.parse(value, ISO_STRICT);
    return true;
  } catch (e) {
    if (e instanceof DateTimeParseException) return false;
    throw e;
  }
}

/** Days since 1970-01-01 of a clinical date: exact calendar arithmetic, no time zone involved. */
export function toEpochDay(date: ClinicalDate): number {
  return LocalDate.parse(date, ISO_STRICT).toEpochDay();
}

export function fromEpochDay(epochDay: number): ClinicalDate {
  return LocalDate.ofEpochDay(epochDay).toString();
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: ClinicalDate, to: ClinicalDate): number {
  return toEpochDay(to) - toEpochDay(from);
}

export function addDays(date: ClinicalDate, days: number): ClinicalDate {
  return fromEpochDay(toEpochDay(date) + days);
}

/** The UTC calendar date of an instant: "today" when the caller gives no as-of date. */
export function utcDateOf(instant: Date): ClinicalDate {
  return instant.toISOString().slice(0, 10);
}

/** ISO dates compare correctly as strings; this names the intent. */
export function compareDates(a: ClinicalDate, b: ClinicalDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
