/**
 * Keys outside the event catalogue never reach the store, whatever their name: also the
 * names every object inherits as functions (toString, valueOf...), which class-transformer
 * leaves out of the instance it validates. Synthetic data only.
 */
import { enrolled, followUp } from '../src/domain/testing/journey.fixtures';
import { startTestApp, type TestApp } from './support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ now: '2026-06-01T12:00:00.000Z' });
});
afterAll(() => t.close());

const INHERITED = ['toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__defineGetter__', '__lookupGetter__'];

describe('POST /v1/patients/{id}/events with a key the catalogue does not list', () => {
  it.each(INHERITED)('refuses %s in data, in a nested object and in metadata with 400 naming each path, and stores nothing', async (key) => {
    // Given an enrolment carrying the key at three depths
    const event = enrolled('2026-01-05');
    const body = {
      ...event,
      data: { ...event.data, [key]: 'synthetic', diagnosis: { ...event.data.diagnosis, [key]: 'synthetic' } },
      metadata: { source: 'EDC-site-01', [key]: 'synthetic' },
    };
    const subjectId = `SYN-KEY-${key}`;

    // When it is posted
    const response = await t.request({ method: 'POST', url: `/v1/patients/${subjectId}/events`, role: 'emitter', body });

    // Then it is refused naming every path, and the patient does not exist
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.errors.map((e: { path: string; code: string }) => `${e.path}:${e.code}`).sort()).toEqual(
      [`data.${key}:UNKNOWN_FIELD`, `data.diagnosis.${key}:UNKNOWN_FIELD`, `metadata.${key}:UNKNOWN_FIELD`].sort(),
    );
    expect((await t.request({ method: 'GET', url: `/v1/patients/${subjectId}/events`, role: 'auditor' })).status).toBe(404);
  });

  it('refuses one in a follow-up of a known patient, leaving its stream as it was', async () => {
    // Given an enrolled patient
    const subjectId = 'SYN-KEY-FOLLOW';
    expect((await t.request({ method: 'POST', url: `/v1/patients/${subjectId}/events`, role: 'emitter', body: enrolled('2026-01-05') })).status).toBe(201);

    // When a follow-up carries valueOf in its data
    const response = await t.request({ method: 'POST', url: `/v1/patients/${subjectId}/events`, role: 'emitter', body: { ...followUp('2026-02-01'), data: { valueOf: 1 } } });

    // Then 400 names it, and the stream holds the enrolment alone
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ path: 'data.valueOf', code: 'UNKNOWN_FIELD' })]);
    const events = await t.request({ method: 'GET', url: `/v1/patients/${subjectId}/events`, role: 'auditor' });
    expect(events.body.events.map((e: { type: string }) => e.type)).toEqual(['PatientEnrolled']);
  });
});

describe('a query parameter the route does not list', () => {
  it.each([
    ['/v1/patients', 'toString'],
    ['/v1/patients', 'valueOf'],
    ['/v1/reports/survival?endpoint=OS', 'hasOwnProperty'],
    ['/v1/reports/adverse-events', 'propertyIsEnumerable'],
  ])('%s with ?%s= is 400 naming it, not ignored', async (route, key) => {
    const response = await t.request({ method: 'GET', url: `${route}${route.includes('?') ? '&' : '?'}${key}=1`, role: 'reporter' });

    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ path: key, code: 'UNKNOWN_PARAMETER' })]);
  });
});
