import { ProblemError } from '../../common/problem/problem';
import { isClinicalDate } from '../../domain/calendar/clinical-date';
import { SUBJECT_ID_PATTERN } from '../../event-store/patient-stream';

/** Query and path values are checked here, at the edge, with a message that names the parameter. */
export function parseSubjectId(value: string): string {
  if (!SUBJECT_ID_PATTERN.test(value)) {
    throw new ProblemError(400, 'VALIDATION_FAILED', 'The subject id is malformed.', [
      { path: 'subjectId', code: 'INVALID', message: 'subjectId must be 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit' },
    ]);
  }
  return value;
}

/** Absent is "today"; present but empty is refused, as the list's DTO refuses it: a client that meant a date sent none. */
export function parseAsOf(value: string | undefined, name = 'asOf'): string | null {
  if (value === undefined) return null;
  if (!isClinicalDate(value)) {
    throw new ProblemError(400, 'VALIDATION_FAILED', `${name} must be a real calendar date YYYY-MM-DD.`, [
      { path: name, code: 'INVALID_DATE', message: `${name} must be a real calendar date YYYY-MM-DD, not "${value}"` },
    ]);
  }
  return value;
}

const INSTANT = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.(\d{1,9}))?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/**
 * An ISO 8601 instant with a zone, normalized to UTC milliseconds so it compares with
 * recordedAt (milliseconds) as text. The date must be a real one (JavaScript would roll
 * 2026-02-30 over to 2 March), and digits below the millisecond round up: "recorded
 * before 10:00:00.1239" keeps an event of 10:00:00.123, as "before .124" does.
 */
export function parseInstant(value: string | undefined, name = 'recordedBefore'): string | null {
  if (value === undefined) return null;
  const parts = INSTANT.exec(value);
  if (!parts || !isClinicalDate(parts[1])) {
    throw new ProblemError(400, 'VALIDATION_FAILED', `${name} must be an ISO 8601 instant with a zone, e.g. 2026-03-14T09:30:00Z.`, [
      { path: name, code: 'INVALID_INSTANT', message: `${name} must be an ISO 8601 instant with a zone, not "${value}"` },
    ]);
  }
  const fraction = parts[5] ?? '';
  const belowMillisecond = /[1-9]/.test(fraction.slice(3)) ? 1 : 0;
  return new Date(new Date(value).getTime() + belowMillisecond).toISOString();
}

/** If-Match carries the stream revision the writer last saw: a number, optionally quoted like an ETag. */
export function parseIfMatch(value: string | undefined): number | null {
  if (value === undefined || value === '') return null;
  const match = /^(\d{1,15})$|^"(\d{1,15})"$/.exec(value.trim());
  if (!match) {
    throw new ProblemError(400, 'VALIDATION_FAILED', 'If-Match must be the stream revision last seen, as a number.', [
      { path: 'If-Match', code: 'INVALID', message: `If-Match must be a revision number, not "${value}"` },
    ]);
  }
  return Number(match[1] ?? match[2]);
}
