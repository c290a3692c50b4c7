import { EMPTY_CONTROLS, pageOffset, parseRoute, queryString, reportRequest, routeHash, shiftInstant, survivalParams, swimmerParams, type View } from './page-state';

describe('page routes', () => {
  it.each<[string, View]>([
    ['', { name: 'swimmer' }],
    ['#/swimmer', { name: 'swimmer' }],
    ['#/patient/SYN-004', { name: 'patient', subjectId: 'SYN-004' }],
    ['#/survival', { name: 'survival' }],
    ['#/incidence', { name: 'incidence' }],
    ['#/adverse-events', { name: 'adverse-events' }],
    ['#/patient/../admin', { name: 'swimmer' }],
    ['#/patient/', { name: 'swimmer' }],
    ['#/nowhere', { name: 'swimmer' }],
  ])('given the hash %j, then the view is %j', (hash, view) => {
    expect(parseRoute(hash)).toEqual(view);
  });

  it('given a view, when it is written as a hash and read back, then it is the same view', () => {
    for (const view of [{ name: 'patient', subjectId: 'SYN-001' }, { name: 'survival' }] as View[]) expect(parseRoute(routeHash(view))).toEqual(view);
  });
});

describe('queries the page sends', () => {
  it('given controls with unset fields, then only the set ones are sent, with the API names', () => {
    const params = swimmerParams({ ...EMPTY_CONTROLS, asOf: '2026-11-25', diagnosis: 'AML', relapsed: 'false' });
    expect(queryString(params)).toBe('?asOf=2026-11-25&diagnosis=AML&relapsed=false&sort=subjectId&order=asc&limit=50&offset=0');
  });

  it('given a value with characters a URL reserves, then it is encoded', () => {
    expect(queryString({ recordedBefore: '2026-03-01T00:00:00+01:00' })).toBe('?recordedBefore=2026-03-01T00%3A00%3A00%2B01%3A00');
  });

  it('given no parameters, then the query string is empty', () => {
    expect(queryString({ asOf: '', phase: undefined })).toBe('');
  });
});

describe('stepping in recording time', () => {
  const now = new Date('2026-11-26T10:00:00.000Z');
  it.each([
    ['', -1, '2026-11-25T10:00:00.000Z'],
    ['2026-03-10T08:30:00.000Z', -1, '2026-03-09T08:30:00.000Z'],
    ['2026-03-10T08:30:00Z', 2, '2026-03-12T08:30:00.000Z'],
    ['not a date', 1, 'not a date'],
  ])('given %j, when it moves %d day(s), then it is %j', (from, days, to) => {
    expect(shiftInstant(from, days, now)).toBe(to);
  });
});

describe('paging', () => {
  it.each([
    [0, 50, 120, 1, 50],
    [50, 50, 120, 1, 100],
    [100, 50, 120, 1, null],
    [0, 50, 120, -1, null],
    [30, 50, 120, -1, 0],
    [100, 50, 120, -1, 50],
  ])('given offset %d, limit %d of %d, when moving %d, then the offset is %p', (offset, limit, total, direction, expected) => {
    expect(pageOffset(offset, limit, total, direction as -1 | 1)).toBe(expected);
  });
});

describe('which route a report is read from', () => {
  it('given no recording time, then the report route itself', () => {
    const c = { ...EMPTY_CONTROLS, asOf: '2026-11-25' };
    expect(reportRequest('survival', survivalParams(c, 'OS'), c)).toEqual({ path: '/v1/reports/survival', params: survivalParams(c, 'OS') });
  });

  it('given a recording time, then its as-recorded twin with recordedBefore', () => {
    const c = { ...EMPTY_CONTROLS, recordedBefore: '2026-12-02T00:00:00.000Z' };
    const request = reportRequest('adverse-events', { asOf: '' }, c);
    expect(request.path).toBe('/v1/reports/as-recorded/adverse-events');
    expect(queryString(request.params)).toBe('?recordedBefore=2026-12-02T00%3A00%3A00.000Z');
  });
});
