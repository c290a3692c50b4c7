import { ProblemError } from '../../common/problem/problem';
import { parseAsOf, parseIfMatch, parseInstant, parseSubjectId } from './request-params';

function problemOf(call: () => unknown): { status: number; code: string; path?: string } {
  try {
    call();
  } catch (error) {
    if (error instanceof ProblemError) return { status: error.status, code: error.code, path: error.errors?.[0]?.path };
    throw error;
  }
  throw new Error('no problem raised');
}

describe('request parameters', () => {
  describe('recordedBefore (an instant)', () => {
    it.each([
      ['2026-03-14T09:30:00Z', '2026-03-14T09:30:00.000Z'],
      ['2026-03-14T09:30Z', '2026-03-14T09:30:00.000Z'],
      ['2026-03-14T11:30:00+02:00', '2026-03-14T09:30:00.000Z'],
      ['2026-03-14T00:30:00-05:00', '2026-03-14T05:30:00.000Z'],
      ['2026-03-14T09:30:00.123Z', '2026-03-14T09:30:00.123Z'],
      ['2026-03-14T09:30:00.1230Z', '2026-03-14T09:30:00.123Z'],
      // Below the millisecond rounds up: "before .1239" still keeps an event recorded at .123.
      ['2026-03-14T09:30:00.1239Z', '2026-03-14T09:30:00.124Z'],
      ['2026-03-14T09:30:00.999999999Z', '2026-03-14T09:30:01.000Z'],
      ['2028-02-29T23:59:59Z', '2028-02-29T23:59:59.000Z'],
    ])('given %s, then it is %s in UTC', (value, expected) => {
      expect(parseInstant(value)).toBe(expected);
    });

    it.each([
      '2026-02-30T10:00:00Z', // JavaScript alone would roll this over to 2 March
      '2026-02-29T10:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-01-05T24:00:00Z',
      '2026-01-05T23:60:00Z',
      '2026-01-05T23:59:60Z',
      '2026-01-05T10:00:00+24:00',
      '2026-01-05T10:00:00', // no zone: whose ten o'clock?
      '2026-01-05',
      'yesterday',
      '2026-01-05T10:00:00.Z',
      '2026-01-05T10:00:00.1234567890Z',
    ])('refuses %j with a 400 naming the parameter', (value) => {
      expect(problemOf(() => parseInstant(value))).toEqual({ status: 400, code: 'VALIDATION_FAILED', path: 'recordedBefore' });
    });

    it('treats an absent value as no bound, and refuses an empty one', () => {
      expect(parseInstant(undefined)).toBeNull();
      expect(problemOf(() => parseInstant(''))).toEqual({ status: 400, code: 'VALIDATION_FAILED', path: 'recordedBefore' });
    });
  });

  describe('If-Match (a revision)', () => {
    it.each([
      ['0', 0],
      ['17', 17],
      ['"17"', 17],
      [' 17 ', 17],
    ])('given %j, then the revision is %d', (value, expected) => {
      expect(parseIfMatch(value)).toBe(expected);
    });

    it.each(['-1', '1.5', 'one', '"17', '17"', 'W/"17"', '*', '1234567890123456'])('refuses %j with a 400 naming the header', (value) => {
      expect(problemOf(() => parseIfMatch(value))).toEqual({ status: 400, code: 'VALIDATION_FAILED', path: 'If-Match' });
    });
  });

  it('takes asOf only as a real calendar date, and subject ids only of the documented shape', () => {
    expect(parseAsOf('2028-02-29')).toBe('2028-02-29');
    expect(parseAsOf(undefined)).toBeNull();
    expect(problemOf(() => parseAsOf(''))).toEqual({ status: 400, code: 'VALIDATION_FAILED', path: 'asOf' });
    expect(problemOf(() => parseAsOf('2027-02-29'))).toEqual({ status: 400, code: 'VALIDATION_FAILED', path: 'asOf' });
    expect(parseSubjectId('SYN-001')).toBe('SYN-001');
    for (const bad of ['', '-SYN', 'SYN 001', 'x'.repeat(65), '../etc']) {
      expect(problemOf(() => parseSubjectId(bad))).toEqual({ status: 400, code: 'VALIDATION_FAILED', path: 'subjectId' });
    }
  });
});
