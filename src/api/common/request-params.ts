import { ProblemError } from '../../common/problem/problem';
import { isClinicalDate } from '../../domain/calendar/clinical-date';
import { SUBJECT_ID_PATTERN } from '../../event-store/patient-stream';

/** Query and path values are checked here, at the edge, with a message that names the parameter. */
export function parseSubjectId(value: string): string {
  if (!SUBJECT_ID_PATTERN.test(value)) {
    throw new ProblemError(400, 'VALIDATION_FAILED', 'The subject id is malformed.', [
      { path: 'subjectId', code: 'INVALID', message: 'must be 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit' },
    ]);
  }
  return value;
}

export function parseAsOf(value: string | undefined, name = 'asOf'): string | null {
  if (value === undefined || value === '') return null;
  if (!isClinicalDate(value)) {
    throw new ProblemError(400, 'VALIDATION_FAILED', `${name} must be a real calendar date YYYY-MM-DD.`, [
      { path: name, code: 'INVALID_DATE', message: `"${value}" is not a calendar date YYYY-MM-DD` },
    ]);
  }
  return value;
}

/** An ISO 8601 instant with a zone, normalized to UTC milliseconds so it compares with recordedAt as text. */
export function parseInstant(value: string | undefined, name = 'recordedBefore'): string | null {
  if (value === undefined || value === '') return null;
  const parsed = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? new Date(value) : null;
  if (!parsed || Number.isNaN(parsed.getTime())) {
    throw new ProblemError(400, 'VALIDATION_FAILED', `${name} must be an ISO 8601 instant with a zone, e.g. 2026-03-14T09:30:00Z.`, [
      { path: name, code: 'INVALID_INSTANT', message: `"${value}" is not an ISO 8601 instant with a zone` },
    ]);
  }
  return parsed.toISOString();
}

/** If-Match carries the stream revision the writer last saw: a number, optionally quoted like an ETag. */
export function parseIfMatch(value: string | undefined): number | null {
  if (value === undefined || value === '') return null;
  const match = /^"?(\d{1,15})"?$/.exec(value.trim());
  if (!match) {
    throw new ProblemError(400, 'VALIDATION_FAILED', 'If-Match must be the stream revision last seen, as a number.', [
      { path: 'If-Match', code: 'INVALID', message: `"${value}" is not a revision number` },
    ]);
  }
  return Number(match[1]);
}
