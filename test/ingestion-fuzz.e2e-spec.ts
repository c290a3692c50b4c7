/**
 * Fuzz: at least 10,000 generated malformed bodies (synthetic). Every answer must be a
 * 4xx problem+json, the service must stay up, and the store must not change.
 */
import fc from 'fast-check';
import { EVENT_TYPES, type EventType } from '../src/domain/events/clinical-event';
import { EVENT_EXAMPLES } from '../src/api/events/event-examples';
import { EVENT_STORE, type EventStore } from '../src/event-store/event-store.port';
import { enrolled } from '../src/domain/testing/journey.fixtures';
import { startTestApp, type TestApp } from './support/test-app';

const RUNS = 10_000;
const SUBJECT = 'SYN-FUZZ-001';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ now: '2026-06-01T12:00:00.000Z' });
  const seeded = await t.request({ method: 'POST', url: `/v1/patients/${SUBJECT}/events`, role: 'emitter', body: enrolled('2026-01-05') });
  expect(seeded.status).toBe(201);
});
afterAll(async () => {
  await t.close();
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const validEvent = (type: EventType, eventId: string): Record<string, Json> =>
  JSON.parse(JSON.stringify({ eventId, type, ...EVENT_EXAMPLES[type] }));

const wrongValue: fc.Arbitrary<Json> = fc.oneof(
  fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }), fc.string({ maxLength: 5 }).map((s) => `${s}\u0000`),
);
const hugeString = fc.integer({ min: 5_000, max: 200_000 }).map((n) => 'x'.repeat(n));
/** Nesting as JSON text: building it as objects would only test our own stack. */
const deep = fc.tuple(fc.integer({ min: 12, max: 5_000 }), fc.boolean()).map(([depth, arrays]) =>
  arrays ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"n":'.repeat(depth)}1${'}'.repeat(depth)}`);

/** One way to break a valid event; each leaves the body certainly invalid. */
const mutation: fc.Arbitrary<(event: Record<string, Json>) => string> = fc.oneof(
  // A required envelope field missing.
  fc.constantFrom('eventId', 'type', 'data').map((field) => (e: Record<string, Json>) => {
    delete e[field];
    return JSON.stringify(e);
  }),
  // A required envelope field of the wrong type.
  fc.tuple(fc.constantFrom('eventId', 'type', 'data', 'occurredOn'), wrongValue).map(([field, value]) => (e: Record<string, Json>) => {
    if (field === 'occurredOn' && !('occurredOn' in e)) field = 'eventId';
    e[field] = value;
    return JSON.stringify(e);
  }),
  // An unknown field, in the envelope or in data.
  fc.tuple(fc.boolean(), fc.string({ minLength: 1, maxLength: 10 }), fc.jsonValue()).map(([inData, name, value]) => (e: Record<string, Json>) => {
    const target = inData ? (e.data as Record<string, Json>) : e;
    target[`x_${name}`] = value as Json;
    return JSON.stringify(e);
  }),
  // Huge strings where ids and enumerations belong.
  fc.tuple(fc.constantFrom('eventId', 'type', 'occurredOn'), hugeString).map(([field, value]) => (e: Record<string, Json>) => {
    e[field === 'occurredOn' && !('occurredOn' in e) ? 'eventId' : field] = value;
    return JSON.stringify(e);
  }),
  // Deep nesting inside data.
  deep.map((nested) => (e: Record<string, Json>) => JSON.stringify(e).replace('"data":{', `"data":{"nested":${nested},`)),
  // Prototype-pollution keys, written into the raw JSON text.
  fc.tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.boolean()).map(([key, inData]) => (e: Record<string, Json>) => {
    const text = JSON.stringify(e);
    const payload = key === 'constructor' ? '{"prototype":{"polluted":true}}' : '{"polluted":true}';
    return inData ? text.replace('"data":{', `"data":{"${key}":${payload},`) : `{"${key}":${payload},${text.slice(1)}`;
  }),
  // Impossible or malformed dates.
  fc.constantFrom('2026-02-30', '2025-02-29', '2026-13-01', '2026-1-1', '20260101', '2026-01-01T00:00:00Z', '').map((date) => (e: Record<string, Json>) => {
    if ('occurredOn' in e) e.occurredOn = date;
    else (e.data as Record<string, Json>).targetEventId = date;
    return JSON.stringify(e);
  }),
  // Whatever JSON at all in place of the body (never a UUID-keyed event), or text that is not JSON.
  fc.oneof(
    fc.jsonValue().map((value) => () => JSON.stringify(value)),
    fc.string().map((text) => () => `${text}{`),
  ),
);

const body = fc.tuple(fc.constantFrom(...EVENT_TYPES), fc.uuid({ version: 4 }), mutation, fc.boolean()).map(([type, id, mutate, asBatch]) => {
  const text = mutate(validEvent(type, id));
  return asBatch && text.startsWith('{') ? `[${text}]` : text;
});

it(`answers ${RUNS} malformed bodies with 4xx problem+json, stays up and stores nothing`, async () => {
  const store = t.app.get<EventStore>(EVENT_STORE);
  const headBefore = await store.headPosition();
  const samples = fc.sample(body, { numRuns: RUNS, seed: 20261125 });
  const unexpected: string[] = [];
  const codes = new Set<string>();
  for (const [i, raw] of samples.entries()) {
    const subject = i % 2 === 0 ? SUBJECT : `SYN-FUZZ-${i}`;
    const response = await t.request({ method: 'POST', url: `/v1/patients/${subject}/events`, role: 'emitter', rawBody: raw });
    const problem = typeof response.body === 'object' && response.body !== null ? response.body : {};
    const ok = response.status >= 400 && response.status < 500 && String(response.headers['content-type']).startsWith('application/problem+json') && problem.status === response.status && typeof problem.code === 'string';
    codes.add(String(problem.code));
    if (!ok) unexpected.push(`#${i} ${response.status} ${raw.slice(0, 200)}`);
  }
  expect(unexpected).toEqual([]);
  expect(samples).toHaveLength(RUNS);
  expect(codes.has('INTERNAL')).toBe(false);
  // The generator reaches both the parser's refusals and the validators'.
  expect([...codes]).toEqual(expect.arrayContaining(['MALFORMED_BODY', 'VALIDATION_FAILED']));
  expect(await store.headPosition()).toBe(headBefore);
  expect((await t.request({ method: 'GET', url: '/health', role: null })).status).toBe(200);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}, 300_000);
