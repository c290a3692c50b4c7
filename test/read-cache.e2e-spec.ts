/**
 * Cached reads over HTTP: GET /v1/patients/{id} and its timeline carry an ETag, answer 304
 * to If-None-Match while the copy is still the answer, and never serve a stale one. Each
 * answer is compared with the record folded from the stream as read from the store
 * (PatientsService.record, the uncached path). SYNTHETIC patients only.
 */
import { corrected, enrolled, followUp, gpbmcInfused, stemCellsInfused, voided } from '../src/domain/testing/journey.fixtures';
import { PatientsService, timelineOf } from '../src/api/patients/patients.service';
import { startTestApp, type TestApp } from './support/test-app';

const SUBJECT = 'SYN-ETAG-001';
let t: TestApp;
const get = (url: string, headers: Record<string, string> = {}) => t.request({ method: 'GET', url, role: 'reporter', headers });
const post = (body: unknown) => t.request({ method: 'POST', url: `/v1/patients/${SUBJECT}/events`, role: 'emitter', body });

/** The uncached answer for the same read, as JSON sends it. */
async function uncached(asOf: string, recordedBefore: string | null = null, timeline = false) {
  const record = await t.app.get(PatientsService).record(SUBJECT, asOf, recordedBefore);
  return JSON.parse(JSON.stringify(timeline ? timelineOf(record) : record));
}

const day0 = stemCellsInfused('2026-02-27');
const gpbmc = gpbmcInfused('2026-01-20');

beforeEach(async () => {
  t = await startTestApp({ now: '2026-03-01T09:00:00.000Z' });
  expect((await post([enrolled('2026-01-05'), gpbmc, day0])).status).toBe(201);
});
afterEach(async () => {
  await t.close();
});

it('given a read, a repeat with its ETag is 304 with no body, and a read without it is the same JSON again', async () => {
  const first = await get(`/v1/patients/${SUBJECT}?asOf=2026-03-10`);
  expect(first.status).toBe(200);
  expect(first.headers['content-type']).toMatch(/^application\/json/);
  expect(first.headers['cache-control']).toBe('private, no-cache');
  const etag = first.headers.etag as string;
  expect(etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
  expect(first.body).toEqual(await uncached('2026-03-10'));

  const again = await get(`/v1/patients/${SUBJECT}?asOf=2026-03-10`, { 'if-none-match': etag });
  expect(again.status).toBe(304);
  expect(again.body).toBeUndefined();
  expect(again.headers.etag).toBe(etag);

  const plain = await get(`/v1/patients/${SUBJECT}?asOf=2026-03-10`);
  expect([plain.status, plain.headers.etag, plain.body]).toEqual([200, etag, first.body]);
  // Another date is another record.
  const other = await get(`/v1/patients/${SUBJECT}?asOf=2026-03-11`, { 'if-none-match': etag });
  expect(other.status).toBe(200);
  expect(other.headers.etag).not.toBe(etag);
});

it('serves the timeline the same way', async () => {
  const first = await get(`/v1/patients/${SUBJECT}/timeline?asOf=2026-03-10`);
  expect(first.status).toBe(200);
  expect(first.body).toEqual(await uncached('2026-03-10', null, true));
  expect((await get(`/v1/patients/${SUBJECT}/timeline?asOf=2026-03-10`, { 'if-none-match': first.headers.etag as string })).status).toBe(304);
});

describe.each([
  ['a new event', () => followUp('2026-03-01')],
  ['a correction', () => corrected(day0, { occurredOn: '2026-02-26' }, 'date entered wrongly')],
  ['a void', () => voided(gpbmc, 'entered in error')],
])('given %s after a read', (_, change) => {
  it('answers the new record, never the copy the client holds', async () => {
    const urls = [`/v1/patients/${SUBJECT}?asOf=2026-03-10`, `/v1/patients/${SUBJECT}/timeline?asOf=2026-03-10`];
    const held = await Promise.all(urls.map((url) => get(url)));
    expect(held.map((r) => r.status)).toEqual([200, 200]);
    const stored = await post(change());
    expect(stored.status).toBe(201);
    for (const [i, url] of urls.entries()) {
      const before = held[i];
      const after = await get(url, { 'if-none-match': before.headers.etag as string });
      expect(after.status).toBe(200);
      expect(after.body).toEqual(await uncached('2026-03-10', null, url.includes('timeline')));
      expect(after.body.revision).toBe(stored.body.events[0].revision);
      expect(after.headers.etag).not.toBe(before.headers.etag);
    }
  });
});

it('given recordedBefore, answers what was known then, before and after later events, as the uncached path does', async () => {
  t.clock.set('2026-03-02T09:00:00.000Z');
  const cut = '2026-03-02T08:00:00.000Z';
  const url = `/v1/patients/${SUBJECT}?asOf=2026-03-10&recordedBefore=${cut}`;
  const then = await get(url);
  expect(then.body).toEqual(await uncached('2026-03-10', cut));
  expect((await post(corrected(day0, { occurredOn: '2026-02-25' }, 'date'))).status).toBe(201);

  const later = await get(url, { 'if-none-match': then.headers.etag as string });
  // The correction was recorded after the cut: the record as known then has not changed.
  expect(later.status).toBe(304);
  expect((await get(url)).body).toEqual(await uncached('2026-03-10', cut));
  const now = await get(`/v1/patients/${SUBJECT}?asOf=2026-03-10`);
  expect(now.body.day0).toBe('2026-02-25');
  expect(then.body.day0).toBe('2026-02-27');
});

it('given a restart, gives the same answer and the same ETag, so copies held by clients stay valid', async () => {
  const url = `/v1/patients/${SUBJECT}?asOf=2026-03-10`;
  const before = await get(url);
  const dataDir = t.dataDir;
  await t.app.close();
  const restarted = await startTestApp({ now: '2026-03-01T09:00:00.000Z', dataDir });
  try {
    const again = await restarted.request({ method: 'GET', url, role: 'reporter', headers: { 'if-none-match': before.headers.etag as string } });
    expect(again.status).toBe(304);
    const full = await restarted.request({ method: 'GET', url, role: 'reporter' });
    expect([full.headers.etag, full.body]).toEqual([before.headers.etag, before.body]);
  } finally {
    await restarted.close();
  }
  t = await startTestApp({ now: '2026-03-01T09:00:00.000Z', dataDir });
});

it('answers 404 for an unknown patient and for a date before the enrollment, with no ETag', async () => {
  const unknown = await get('/v1/patients/SYN-NOBODY');
  expect([unknown.status, unknown.body.code, unknown.headers.etag]).toEqual([404, 'PATIENT_NOT_FOUND', undefined]);
  const early = await get(`/v1/patients/${SUBJECT}?asOf=2026-01-01`);
  expect([early.status, early.body.code]).toEqual([404, 'NOT_ENROLLED_AS_OF']);
});
