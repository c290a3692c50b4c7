/**
 * Many writers on one patient. Without If-Match a client asks the service to decide
 * against whatever is current, so in one process no such append may fail for another
 * writer's sake; with If-Match a mismatch stays 409. Synthetic data only.
 */
import { addDays } from '../src/domain/calendar/clinical-date';
import { aeReported, enrolled, followUp } from '../src/domain/testing/journey.fixtures';
import { startTestApp, type TestApp } from './support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ now: '2026-06-01T12:00:00.000Z' });
});
afterAll(() => t.close());

const post = (subjectId: string, body: unknown, headers: Record<string, string> = {}) =>
  t.request({ method: 'POST', url: `/v1/patients/${subjectId}/events`, role: 'emitter', body, headers });
const storedRevisions = async (subjectId: string) =>
  ((await t.request({ method: 'GET', url: `/v1/patients/${subjectId}/events`, role: 'auditor' })).body.events as { revision: number }[]).map((e) => e.revision);

describe('concurrent appends to one patient', () => {
  it.each([10, 25, 50])('without If-Match: all %i writers are stored, each at its own revision', async (writers) => {
    // Given an enrolled patient
    const subjectId = `SYN-BUSY-${writers}`;
    expect((await post(subjectId, enrolled('2026-01-05'))).status).toBe(201);

    // When that many writers append at once, follow-ups and AEs mixed
    const bodies = Array.from({ length: writers }, (_, i) =>
      i % 2 === 0 ? followUp(addDays('2026-01-06', i)) : aeReported(addDays('2026-01-06', i), { aeId: `AE-${i}`, category: 'INFECTION', attribution: 'UNRELATED' }),
    );
    const responses = await Promise.all(bodies.map((body) => post(subjectId, body)));

    // Then every one is 201, at revisions 1..n, and the stream holds them all
    expect(responses.map((r) => r.status)).toEqual(bodies.map(() => 201));
    const revisions = responses.map((r) => r.body.events[0].revision as number).sort((a, b) => a - b);
    expect(revisions).toEqual(Array.from({ length: writers }, (_, i) => i + 1));
    expect(await storedRevisions(subjectId)).toEqual(Array.from({ length: writers + 1 }, (_, i) => i));
  });

  it('with the same If-Match: exactly one writer wins, every other gets 409 naming the current revision', async () => {
    // Given an enrolled patient at revision 0
    const subjectId = 'SYN-BUSY-IFMATCH';
    expect((await post(subjectId, enrolled('2026-01-05'))).status).toBe(201);

    // When 10 writers append, each saying it last saw revision 0
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => post(subjectId, followUp(addDays('2026-01-06', i)), { 'if-match': '0' })));

    // Then one is stored at revision 1 and the nine others are refused
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    const refused = responses.filter((r) => r.status !== 201);
    expect(refused.map((r) => [r.status, r.body.code, r.body.currentRevision])).toEqual(refused.map(() => [409, 'REVISION_CONFLICT', 1]));
    expect(await storedRevisions(subjectId)).toEqual([0, 1]);
  });
});
