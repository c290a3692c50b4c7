/**
 * Ingestion over HTTP against the real embedded SQLite store (synthetic data only).
 * The clock stands at 2026-06-01T12:00Z: "today" for the rules is 2026-06-01.
 */
import { addDays } from '../src/domain/calendar/clinical-date';
import type { ClinicalEvent } from '../src/domain/events/clinical-event';
import {
  aeReported,
  aeUpdated,
  chemoStarted,
  conditioningStarted,
  corrected,
  died,
  enrolled,
  engrafted,
  followUp,
  gpbmcInfused,
  relapsed,
  responseAssessed,
  stemCellsInfused,
  voided,
  withdrawn,
} from '../src/domain/testing/journey.fixtures';
import { startTestApp, type TestApp } from './support/test-app';

let t: TestApp;
let subjectNo = 0;
const newSubject = () => `SYN-E2E-${String(++subjectNo).padStart(4, '0')}`;

beforeAll(async () => {
  t = await startTestApp({ now: '2026-06-01T12:00:00.000Z' });
});
afterAll(async () => {
  await t.close();
});

const post = (subjectId: string, body: unknown, headers: Record<string, string> = {}, role: 'emitter' | 'auditor' | 'reporter' | 'admin' | null = 'emitter') =>
  t.request({ method: 'POST', url: `/v1/patients/${subjectId}/events`, body, headers, role });
const stored = async (subjectId: string) => {
  const response = await t.request({ method: 'GET', url: `/v1/patients/${subjectId}/events`, role: 'auditor' });
  return response.status === 404 ? [] : (response.body.events as Array<{ eventId: string; type: string; revision: number }>);
};
const ruleCodes = (body: { errors?: Array<{ code: string }> }) => (body.errors ?? []).map((e) => e.code);

/** Enrolls a new synthetic subject on 2026-01-05 and returns its id. */
async function enrolledSubject(...more: ClinicalEvent[]): Promise<string> {
  const subjectId = newSubject();
  const response = await post(subjectId, [enrolled('2026-01-05'), ...more]);
  expect(response.status).toBe(201);
  return subjectId;
}

describe('a whole journey, one event of every type', () => {
  it('stores each event with its envelope, actor and recording time, in order', async () => {
    const subjectId = newSubject();
    const ae = aeReported('2026-03-20', { aeId: 'AE-1', category: 'ACUTE_GVHD', gvhdGrade: 'II', ctcaeGrade: 2, attribution: 'PROBABLE' });
    const journey: ClinicalEvent[] = [
      enrolled('2026-01-05'),
      chemoStarted('2026-01-08'),
      gpbmcInfused('2026-01-20'),
      responseAssessed('2026-02-10'),
      conditioningStarted('2026-02-20'),
      stemCellsInfused('2026-02-27'),
      engrafted('2026-03-14', 'NEUTROPHIL'),
      ae,
      aeUpdated('2026-03-27', 'AE-1', { ctcaeGrade: 3, gvhdGrade: 'III' }),
      followUp('2026-03-29'),
      relapsed('2026-05-01', 'MOLECULAR'),
    ];
    for (const [i, event] of journey.entries()) {
      const response = await post(subjectId, { ...event, metadata: { source: 'EDC-SYN', correlationId: `visit-${i}` } }, { 'if-match': i === 0 ? '' : String(i - 1) });
      expect({ i, status: response.status }).toEqual({ i, status: 201 });
      expect(response.body.events).toEqual([{ eventId: event.eventId, revision: i, position: expect.any(Number), recordedAt: '2026-06-01T12:00:00.000Z' }]);
    }
    const correction = corrected(ae, { occurredOn: '2026-03-21' }, 'onset misread from the source document');
    const voiding = voided(journey[3], 'assessment belonged to another subject');
    expect((await post(subjectId, [correction, voiding])).status).toBe(201);
    expect((await post(subjectId, died('2026-05-20', { cause: 'RELAPSE' }))).status).toBe(201);

    const audit = await t.request({ method: 'GET', url: `/v1/patients/${subjectId}/events`, role: 'auditor' });
    expect(audit.status).toBe(200);
    expect(audit.body.events.map((e: { type: string }) => e.type)).toEqual([...journey.map((e) => e.type), 'EventCorrected', 'EventVoided', 'PatientDied']);
    expect(audit.body.events[7]).toMatchObject({
      eventId: ae.eventId,
      type: 'AdverseEventReported',
      occurredOn: '2026-03-20',
      data: ae.data,
      metadata: { source: 'EDC-SYN', correlationId: 'visit-7' },
      actor: { keyId: expect.stringMatching(/^emitter-/), role: 'emitter' },
      recordedAt: '2026-06-01T12:00:00.000Z',
      revision: 7,
      position: expect.any(Number),
      schemaVersion: 1,
    });
    expect(JSON.stringify(audit.body)).not.toContain('test-emitter-key');

    // A withdrawal is the other way off study.
    const other = await enrolledSubject();
    expect((await post(other, withdrawn('2026-02-01', 'LOST_TO_FOLLOW_UP'))).status).toBe(201);
  });

  it('lets an auditor see only what was recorded before an instant', async () => {
    const subjectId = await enrolledSubject();
    t.clock.set('2026-06-01T13:00:00.000Z');
    expect((await post(subjectId, chemoStarted('2026-01-08'))).status).toBe(201);
    const before = await t.request({ method: 'GET', url: `/v1/patients/${subjectId}/events?recordedBefore=2026-06-01T12:30:00Z`, role: 'auditor' });
    expect(before.body.events.map((e: { type: string }) => e.type)).toEqual(['PatientEnrolled']);
    const bad = await t.request({ method: 'GET', url: `/v1/patients/${subjectId}/events?recordedBefore=yesterday`, role: 'auditor' });
    expect(bad.status).toBe(400);
    t.clock.set('2026-06-01T12:00:00.000Z');
  });
});

describe('rules on the way in (422, nothing stored)', () => {
  const cases: Array<[string, () => Promise<{ subjectId: string; body: unknown }>, string]> = [
    ['a first event that is not an enrollment', async () => ({ subjectId: newSubject(), body: chemoStarted('2026-01-08') }), 'FIRST_EVENT_NOT_ENROLLMENT'],
    ['a second enrollment', async () => ({ subjectId: await enrolledSubject(), body: enrolled('2026-01-06') }), 'ALREADY_ENROLLED'],
    ['a date before enrollment', async () => ({ subjectId: await enrolledSubject(), body: chemoStarted('2026-01-01') }), 'DATE_BEFORE_ENROLLMENT'],
    ['a date after the death', async () => ({ subjectId: await enrolledSubject(died('2026-02-01')), body: followUp('2026-02-02') }), 'DATE_AFTER_DEATH'],
    ['a date after today + 1 day', async () => ({ subjectId: await enrolledSubject(), body: followUp('2026-06-03') }), 'DATE_IN_FUTURE'],
    ['a second Day 0', async () => ({ subjectId: await enrolledSubject(stemCellsInfused('2026-02-01')), body: stemCellsInfused('2026-02-02') }), 'DAY0_ALREADY_RECORDED'],
    ['a second death', async () => ({ subjectId: await enrolledSubject(died('2026-02-01')), body: died('2026-02-01') }), 'ALREADY_DEAD'],
    ['an update of an unknown AE', async () => ({ subjectId: await enrolledSubject(), body: aeUpdated('2026-02-01', 'AE-404', { ctcaeGrade: 2 }) }), 'AE_NOT_FOUND'],
    ['a duplicate AE id', async () => ({ subjectId: await enrolledSubject(aeReported('2026-02-01', { aeId: 'AE-1' })), body: aeReported('2026-02-03', { aeId: 'AE-1' }) }), 'DUPLICATE_AE_ID'],
    ['a GVHD grade on an AE that is not GVHD', async () => ({ subjectId: await enrolledSubject(aeReported('2026-02-01', { aeId: 'AE-1', category: 'INFECTION' })), body: aeUpdated('2026-02-03', 'AE-1', { gvhdGrade: 'IV' }) }), 'AE_GVHD_GRADE_NOT_FOR_CATEGORY'],
    ['a correction of a missing event', async () => ({ subjectId: await enrolledSubject(), body: corrected('00000000-0000-4000-8000-00000000ffff', { occurredOn: '2026-02-01' }) }), 'TARGET_NOT_FOUND'],
    ['a void of a missing event', async () => ({ subjectId: await enrolledSubject(), body: voided('00000000-0000-4000-8000-00000000fffe') }), 'TARGET_NOT_FOUND'],
    ['a correction of a correction', async () => {
      const chemo = chemoStarted('2026-01-08');
      const fix = corrected(chemo, { occurredOn: '2026-01-09' });
      return { subjectId: await enrolledSubject(chemo, fix), body: corrected(fix.eventId, { occurredOn: '2026-01-10' }) };
    }, 'CORRECTION_OF_CORRECTION'],
    ['a correction that breaks a rule', async () => {
      const chemo = chemoStarted('2026-01-08');
      return { subjectId: await enrolledSubject(chemo), body: corrected(chemo, { occurredOn: '2025-12-31' }) };
    }, 'CORRECTION_BREAKS_RULES'],
    ['a void that breaks a rule (voiding the enrollment)', async () => {
      const enrollment = enrolled('2026-01-05');
      const subjectId = newSubject();
      expect((await post(subjectId, [enrollment, chemoStarted('2026-01-08')])).status).toBe(201);
      return { subjectId, body: voided(enrollment) };
    }, 'CORRECTION_BREAKS_RULES'],
  ];

  it.each(cases)('rejects %s', async (_what, given, code) => {
    const { subjectId, body } = await given();
    const before = await stored(subjectId);
    const response = await post(subjectId, body);
    expect(response.status).toBe(422);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 422, code: 'CLINICAL_RULE_BROKEN' });
    expect(ruleCodes(response.body)).toContain(code);
    expect(await stored(subjectId)).toEqual(before);
  });

  it('refuses an NIH grade on an acute GVHD AE, naming the AE, its category and the field', async () => {
    const report = aeReported('2026-02-01', { aeId: 'AE-7', category: 'ACUTE_GVHD', gvhdGrade: 'II', attribution: 'PROBABLE' });
    const subjectId = await enrolledSubject(report);
    const before = await stored(subjectId);
    const response = await post(subjectId, aeUpdated('2026-02-05', 'AE-7', { gvhdGrade: 'SEVERE' }));
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual([expect.objectContaining({
      code: 'AE_GVHD_GRADE_NOT_FOR_CATEGORY',
      field: 'data.gvhdGrade',
      relatedEventId: report.eventId,
      message: expect.stringMatching(/AE AE-7 .*ACUTE_GVHD.*gvhdGrade.*SEVERE/),
    })]);
    expect(await stored(subjectId)).toEqual(before);
  });

  it('lists every failed eligibility criterion, and accepts the same enrollment with a waiver, flagged', async () => {
    const failing = {
      ageYears: 14,
      eligibility: { altXUln: 3.5, astXUln: 4, bilirubinXUln: 2, creatinineXUln: 2.5, crClMlMin: 30, lvefPercent: 50, exclusions: { pregnantOrNursing: true } },
      bridgingDonor: { ageYears: 17, hlaMatch: '10/10' },
      transplantDonor: { ageYears: 16 },
    };
    const subjectId = newSubject();
    const response = await post(subjectId, enrolled('2026-01-05', failing));
    expect(response.status).toBe(422);
    const ineligible = response.body.errors.find((e: { code: string }) => e.code === 'INELIGIBLE');
    expect(ineligible.criteria.map((c: { field: string }) => c.field).sort()).toEqual(
      [
        'ageYears', 'eligibility.altXUln', 'eligibility.astXUln', 'eligibility.bilirubinXUln', 'eligibility.creatinineXUln',
        'eligibility.lvefPercent', 'eligibility.exclusions.pregnantOrNursing', 'bridgingDonor.ageYears', 'bridgingDonor.hlaMatch',
        'transplantDonor.ageYears',
      ].sort(),
    );
    expect(await stored(subjectId)).toEqual([]);

    const waived = await post(subjectId, enrolled('2026-01-05', { ...failing, eligibilityWaiver: { reason: 'sponsor waiver W-SYN-1' } }));
    expect(waived.status).toBe(201);
    expect(waived.body.deviations.map((d: { code: string }) => d.code)).toEqual(['ELIGIBILITY_WAIVED']);
  });
});

describe('a void or correction may not leave an impossible history', () => {
  it('refuses to void Day 0 while its engraftment stands (422 naming the engraftment, nothing stored), and accepts voiding both in one batch', async () => {
    const day0 = stemCellsInfused('2026-02-27');
    const engraftment = engrafted('2026-03-14', 'NEUTROPHIL');
    const subjectId = await enrolledSubject(chemoStarted('2026-01-08'), gpbmcInfused('2026-01-20'), conditioningStarted('2026-02-20'), day0, engraftment);
    const before = await stored(subjectId);
    const voidDay0 = voided(day0, 'Day 0 entered on the wrong subject');

    const refused = await post(subjectId, voidDay0);

    expect(refused.status).toBe(422);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 422, code: 'CLINICAL_RULE_BROKEN' });
    expect(refused.body.errors).toEqual([{
      path: '',
      code: 'CORRECTION_BREAKS_RULES',
      eventIndex: 0,
      eventId: voidDay0.eventId,
      relatedEventId: day0.eventId,
      message: expect.stringContaining(`void or correct engraftment ${engraftment.eventId} (NEUTROPHIL, 2026-03-14) first, or send them together in one batch`),
      causes: [{
        code: 'ENGRAFTMENT_WITHOUT_DAY0',
        eventIndex: 0,
        eventId: engraftment.eventId,
        eventType: 'EngraftmentRecorded',
        occurredOn: '2026-03-14',
        message: expect.stringContaining(engraftment.eventId),
      }],
    }]);
    expect(await stored(subjectId)).toEqual(before);

    // Day 0 first: the batch is atomic, judged by the history it leaves.
    const both = await post(subjectId, [voidDay0, voided(engraftment, 'engraftment of the wrong subject')]);
    expect(both.status).toBe(201);
    expect((await stored(subjectId)).slice(before.length).map((e) => e.type)).toEqual(['EventVoided', 'EventVoided']);
  });

  it('refuses to correct a death to before a recorded follow-up, naming the follow-up at its batch path', async () => {
    const contact = followUp('2026-04-01');
    const death = died('2026-04-20');
    const subjectId = await enrolledSubject(contact, death);
    const before = await stored(subjectId);
    const response = await post(subjectId, [corrected(death, { occurredOn: '2026-03-31' }, 'date of death misread')]);
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual([expect.objectContaining({
      path: '[0]',
      code: 'CORRECTION_BREAKS_RULES',
      causes: [expect.objectContaining({ code: 'DATE_AFTER_DEATH', eventId: contact.eventId, eventType: 'FollowUpRecorded', occurredOn: '2026-04-01' })],
    })]);
    expect(await stored(subjectId)).toEqual(before);
  });
});

describe('accepted with a protocol deviation', () => {
  it.each([
    ['GPBMC without chemotherapy', () => [gpbmcInfused('2026-01-20')], 'GPBMC_WITHOUT_CHEMOTHERAPY'],
    ['conditioning without GPBMC', () => [chemoStarted('2026-01-08'), conditioningStarted('2026-02-20')], 'CONDITIONING_WITHOUT_GPBMC'],
    ['Day 0 without conditioning', () => [chemoStarted('2026-01-08'), gpbmcInfused('2026-01-20'), stemCellsInfused('2026-02-27')], 'DAY0_WITHOUT_CONDITIONING'],
  ])('flags %s', async (_what, events, code) => {
    const subjectId = await enrolledSubject();
    const response = await post(subjectId, events());
    expect(response.status).toBe(201);
    expect(response.body.deviations.map((d: { code: string }) => d.code)).toEqual([code]);
  });
});

describe('idempotency and concurrency', () => {
  it('answers an exact retry with the original result and stores nothing twice', async () => {
    const subjectId = await enrolledSubject();
    const event = { ...chemoStarted('2026-01-08'), metadata: { source: 'EDC-SYN' } };
    const first = await post(subjectId, event);
    t.clock.advance(5000);
    const retry = await post(subjectId, JSON.parse(JSON.stringify(event)));
    expect(first.status).toBe(201);
    expect(retry.status).toBe(200);
    expect(retry.body.events).toEqual(first.body.events);
    expect((await stored(subjectId)).filter((e) => e.eventId === event.eventId)).toHaveLength(1);
    const batchRetry = await post(subjectId, [event]);
    expect(batchRetry.status).toBe(200);
  });

  // A client that timed out sends the same request again, If-Match included.
  const retries: Array<[string, () => { body: ClinicalEvent | ClinicalEvent[]; later: ClinicalEvent[] }, string[]]> = [
    ['a single event', () => ({ body: chemoStarted('2026-01-08'), later: [] }), []],
    ['a single event with a deviation', () => ({ body: gpbmcInfused('2026-01-20'), later: [] }), ['GPBMC_WITHOUT_CHEMOTHERAPY']],
    ['a batch with deviations', () => ({ body: [gpbmcInfused('2026-01-20'), stemCellsInfused('2026-02-27')], later: [] }),
      ['GPBMC_WITHOUT_CHEMOTHERAPY', 'DAY0_WITHOUT_CONDITIONING']],
    // The chemotherapy entered late, dated before, removes the deviation from the record, not from the original answer.
    ['a single event with a deviation, after the stream moved on', () => ({ body: gpbmcInfused('2026-01-20'), later: [chemoStarted('2026-01-08')] }),
      ['GPBMC_WITHOUT_CHEMOTHERAPY']],
    ['a batch with deviations, after the stream moved on', () => ({ body: [gpbmcInfused('2026-01-20'), stemCellsInfused('2026-02-27')], later: [followUp('2026-03-01')] }),
      ['GPBMC_WITHOUT_CHEMOTHERAPY', 'DAY0_WITHOUT_CONDITIONING']],
  ];
  it.each(retries)('answers an exact retry of %s sent with the same If-Match with the original result (200)', async (_what, given, deviations) => {
    const subjectId = await enrolledSubject();
    const { body, later } = given();
    const first = await post(subjectId, body, { 'if-match': '0' });
    expect(first.status).toBe(201);
    expect(first.body.deviations.map((d: { code: string }) => d.code)).toEqual(deviations);
    for (const event of later) expect((await post(subjectId, event)).status).toBe(201);
    const before = await stored(subjectId);
    t.clock.advance(5000);

    const retry = await post(subjectId, JSON.parse(JSON.stringify(body)), { 'if-match': '0' });

    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(await stored(subjectId)).toEqual(before);
  });

  it('still refuses the same event id with other content under If-Match: stale 409 REVISION_CONFLICT, current 409 EVENT_ID_REUSED', async () => {
    const subjectId = await enrolledSubject();
    const event = chemoStarted('2026-01-08');
    expect((await post(subjectId, event, { 'if-match': '0' })).status).toBe(201);
    const other = { ...event, data: { regimen: 'DAV', cycle: 1 } };
    expect((await post(subjectId, other, { 'if-match': '0' })).body).toMatchObject({ status: 409, code: 'REVISION_CONFLICT', currentRevision: 1 });
    expect((await post(subjectId, other, { 'if-match': '1' })).body).toMatchObject({ status: 409, code: 'EVENT_ID_REUSED' });
  });

  it('refuses the same event id with other content (409) and stores nothing', async () => {
    const subjectId = await enrolledSubject();
    const event = chemoStarted('2026-01-08');
    expect((await post(subjectId, event)).status).toBe(201);
    const before = await stored(subjectId);
    const conflicting = await post(subjectId, { ...event, data: { regimen: 'DAV', cycle: 1 } });
    expect(conflicting.status).toBe(409);
    expect(conflicting.body.code).toBe('EVENT_ID_REUSED');
    const partly = await post(subjectId, [event, followUp('2026-01-09')]);
    expect(partly.status).toBe(409);
    expect(partly.body.code).toBe('BATCH_PARTLY_STORED');
    expect(await stored(subjectId)).toEqual(before);
  });

  it('refuses a stale If-Match (409) naming the current revision', async () => {
    const subjectId = await enrolledSubject(chemoStarted('2026-01-08'));
    const stale = await post(subjectId, followUp('2026-01-10'), { 'if-match': '0' });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'REVISION_CONFLICT', currentRevision: 1 });
    expect((await post(subjectId, followUp('2026-01-10'), { 'if-match': '1' })).status).toBe(201);
    expect((await post(subjectId, followUp('2026-01-11'), { 'if-match': 'one' })).status).toBe(400);
  });

  it('stores nothing of a batch with one bad event, whether malformed (400) or breaking a rule (422)', async () => {
    const subjectId = await enrolledSubject();
    const before = await stored(subjectId);
    const malformed = await post(subjectId, [chemoStarted('2026-01-08'), { ...followUp('2026-01-09'), occurredOn: '2026-02-30' }]);
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors).toEqual([expect.objectContaining({ path: '[1].occurredOn', code: 'INVALID_DATE' })]);
    const broken = await post(subjectId, [chemoStarted('2026-01-08'), stemCellsInfused('2026-02-01'), stemCellsInfused('2026-02-02')]);
    expect(broken.status).toBe(422);
    expect(broken.body.errors).toEqual([expect.objectContaining({ code: 'DAY0_ALREADY_RECORDED', eventIndex: 2, path: '[2]' })]);
    expect(await stored(subjectId)).toEqual(before);
  });

  it('lets exactly one of 20 concurrent enrollments of a new subject win', async () => {
    const subjectId = newSubject();
    const responses = await Promise.all(Array.from({ length: 20 }, () => post(subjectId, enrolled('2026-01-05'))));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 422)).toHaveLength(19);
    for (const loser of responses.filter((r) => r.status === 422)) expect(ruleCodes(loser.body)).toEqual(['ALREADY_ENROLLED']);
    expect((await stored(subjectId)).map((e) => e.type)).toEqual(['PatientEnrolled']);
  });

  it('lets exactly one of 10 concurrent Day 0 records win', async () => {
    const subjectId = await enrolledSubject(chemoStarted('2026-01-08'), gpbmcInfused('2026-01-20'), conditioningStarted('2026-02-20'));
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => post(subjectId, stemCellsInfused(addDays('2026-02-21', i)))));
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    for (const loser of responses.filter((r) => r.status !== 201)) {
      expect(loser.status).toBe(422);
      expect(ruleCodes(loser.body)).toEqual(['DAY0_ALREADY_RECORDED']);
    }
    expect((await stored(subjectId)).filter((e) => e.type === 'StemCellsInfused')).toHaveLength(1);
  });
});

describe('errors and access', () => {
  it.each([
    ['no key', null, 401, 'UNAUTHENTICATED'],
    ['an auditor', 'auditor', 403, 'FORBIDDEN_ROLE'],
    ['a reporter', 'reporter', 403, 'FORBIDDEN_ROLE'],
  ] as const)('refuses a write with %s', async (_who, role, status, code) => {
    const subjectId = newSubject();
    const response = await post(subjectId, enrolled('2026-01-05'), {}, role);
    expect(response.status).toBe(status);
    expect(response.body.code).toBe(code);
    expect(await stored(subjectId)).toEqual([]);
  });

  it('refuses an unknown key (401) and an emitter reading the audit trail (403)', async () => {
    const subjectId = await enrolledSubject();
    const unknown = await t.request({ method: 'POST', url: `/v1/patients/${subjectId}/events`, role: null, headers: { authorization: 'Bearer not-a-key-of-this-service' }, body: followUp('2026-01-09') });
    expect(unknown.status).toBe(401);
    const emitterRead = await t.request({ method: 'GET', url: `/v1/patients/${subjectId}/events`, role: 'emitter' });
    expect(emitterRead.status).toBe(403);
  });

  it('answers 404 for the events of an unknown patient, and 400 for a malformed subject id', async () => {
    expect((await t.request({ method: 'GET', url: '/v1/patients/SYN-NOBODY/events', role: 'auditor' })).status).toBe(404);
    expect((await post('bad%20id', followUp('2026-01-09'))).status).toBe(400);
  });

  it('answers an unknown route with 404 problem+json', async () => {
    const response = await t.request({ method: 'GET', url: '/v1/nowhere', role: 'admin' });
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('answers 400 for JSON that does not parse and 413 for a body over the limit', async () => {
    const subjectId = newSubject();
    const garbled = await t.request({ method: 'POST', url: `/v1/patients/${subjectId}/events`, role: 'emitter', rawBody: '{"eventId": ' });
    expect(garbled.status).toBe(400);
    expect(garbled.headers['content-type']).toMatch(/^application\/problem\+json/);
    const huge = await post(subjectId, { ...enrolled('2026-01-05'), data: { padding: 'x'.repeat(2_000_000) } });
    expect(huge.status).toBe(413);
    expect(huge.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await stored(subjectId)).toEqual([]);
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['a +json type', 'application/vnd.timeline+json'],
  ])('answers 415 naming the media type for %s, and stores nothing', async (_, contentType) => {
    const subjectId = newSubject();
    const body = contentType === 'text/plain' ? JSON.stringify(enrolled('2026-01-05')) : 'eventId=x&type=PatientEnrolled';

    const response = await t.request({ method: 'POST', url: `/v1/patients/${subjectId}/events`, role: 'emitter', headers: { 'content-type': contentType }, rawBody: body });

    expect(response.status).toBe(415);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', detail: expect.stringContaining(contentType) });
    expect(await stored(subjectId)).toEqual([]);
  });

  it('takes application/json with parameters, in any case', async () => {
    for (const contentType of ['application/json; charset=utf-8', 'Application/JSON']) {
      const subjectId = newSubject();
      const response = await t.request({ method: 'POST', url: `/v1/patients/${subjectId}/events`, role: 'emitter', headers: { 'content-type': contentType }, rawBody: JSON.stringify(enrolled('2026-01-05')) });
      expect([contentType, response.status]).toEqual([contentType, 201]);
    }
  });

  it('serves the OpenAPI document with every event type and an example', async () => {
    const docs = await t.request({ method: 'GET', url: '/docs-json', role: null });
    expect(docs.status).toBe(200);
    const schemas = docs.body.components.schemas;
    expect(Object.keys(schemas)).toEqual(expect.arrayContaining(['PatientEnrolledDataDto', 'AdverseEventReportedDataDto', 'EventVoidedDataDto']));
    const body = docs.body.paths['/v1/patients/{subjectId}/events'].post.requestBody.content['application/json'];
    expect(Object.keys(body.examples)).toHaveLength(15);
    expect(schemas.AdverseEventReportedDataDto.properties.category.enum).toContain('ACUTE_GVHD');
    expect((await t.request({ method: 'GET', url: '/docs', role: null })).status).toBe(200);
  });
});
