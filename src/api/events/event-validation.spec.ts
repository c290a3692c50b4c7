import fc from 'fast-check';
import { EVENT_TYPES, type EventType } from '../../domain/events/clinical-event';
import { aeReported, arbJourney, chemoStarted, conditioningStarted, enrolled, syntheticId } from '../../domain/testing/journey.fixtures';
import { EVENT_EXAMPLES } from './event-examples';
import { MAX_BATCH, validateCorrectionData, validateEventBatch } from './event-validation';

const example = (type: EventType, n = 1) => ({ eventId: syntheticId(n, 900), type, ...EVENT_EXAMPLES[type] });
const codesOf = (body: unknown) => {
  const result = validateEventBatch(body);
  return result.ok ? [] : result.errors.map((e) => `${e.path}:${e.code}`);
};

describe('validateEventBatch', () => {
  it.each(EVENT_TYPES)('accepts the documented example of %s', (type) => {
    expect(validateEventBatch(example(type))).toMatchObject({ ok: true, batch: false });
  });

  it('accepts every event of generated valid journeys, alone and as one batch', () => {
    fc.assert(
      fc.property(arbJourney(), (journey) => {
        for (const event of journey.events) expect(codesOf(event)).toEqual([]);
        expect(validateEventBatch(journey.events)).toMatchObject({ ok: true, batch: true });
      }),
      { numRuns: 100 },
    );
  });

  it('keeps only the envelope fields of a valid event, as sent', () => {
    const event = { ...example('FollowUpRecorded'), metadata: { source: 'EDC-site-01' } };
    const result = validateEventBatch(event);
    expect(result).toEqual({ ok: true, batch: false, events: [event] });
  });

  it.each([
    ['an unknown type', { ...example('FollowUpRecorded'), type: 'PatientTeleported' }, ['type:UNKNOWN_EVENT_TYPE']],
    ['a missing eventId', { type: 'FollowUpRecorded', occurredOn: '2026-01-01', data: {} }, ['eventId:REQUIRED']],
    ['an eventId that is no UUID', { ...example('FollowUpRecorded'), eventId: 'abc' }, ['eventId:BAD_FORMAT']],
    ['an impossible date', { ...example('FollowUpRecorded'), occurredOn: '2026-02-30' }, ['occurredOn:INVALID_DATE']],
    ['a date with a time', { ...example('FollowUpRecorded'), occurredOn: '2026-02-03T10:00:00Z' }, ['occurredOn:INVALID_DATE']],
    ['a fact without occurredOn', { eventId: syntheticId(1), type: 'FollowUpRecorded', data: {} }, ['occurredOn:REQUIRED']],
    ['a void with an envelope occurredOn', { ...example('EventVoided'), occurredOn: '2026-01-01' }, ['occurredOn:NOT_ALLOWED']],
    ['an unknown envelope field', { ...example('FollowUpRecorded'), site: 'x' }, ['site:UNKNOWN_FIELD']],
    ['an unknown data field', { ...example('FollowUpRecorded'), data: { note: 'x' } }, ['data.note:UNKNOWN_FIELD']],
    ['data that is not an object', { ...example('FollowUpRecorded'), data: [] }, ['data:WRONG_TYPE']],
    ['a grade out of range', { ...example('AdverseEventReported'), data: { ...aeReported('2026-01-01').data, ctcaeGrade: 6 } }, ['data.ctcaeGrade:NOT_ALLOWED']],
    ['a grade as a string', { ...example('AdverseEventReported'), data: { ...aeReported('2026-01-01').data, ctcaeGrade: '3' } }, ['data.ctcaeGrade:NOT_ALLOWED']],
    ['a missing nested field', { ...example('PatientEnrolled'), data: { ...enrolled().data, eligibility: { ...enrolled().data.eligibility, lvefPercent: undefined } } }, ['data.eligibility.lvefPercent:REQUIRED']],
    ['a nested unknown field', { ...example('PatientEnrolled'), data: { ...enrolled().data, diagnosis: { ...enrolled().data.diagnosis, stage: 2 } } }, ['data.diagnosis.stage:UNKNOWN_FIELD']],
    ['a fractional age', { ...example('PatientEnrolled'), data: { ...enrolled().data, ageYears: 41.5 } }, ['data.ageYears:NOT_AN_INTEGER']],
    ['a nested object given as a string', { ...example('PatientEnrolled'), data: { ...enrolled().data, transplantDonor: 'TD-1' } }, ['data.transplantDonor:WRONG_TYPE']],
    ['an HLA match with more matched than typed loci', { ...example('PatientEnrolled'), data: { ...enrolled().data, bridgingDonor: { ...enrolled().data.bridgingDonor, hlaMatch: '11/10' } } }, ['data.bridgingDonor.hlaMatch:BAD_FORMAT']],
    ['an impossible consent date', { ...example('PatientEnrolled'), data: { ...enrolled().data, consentSignedOn: '2025-13-01' } }, ['data.consentSignedOn:INVALID_DATE']],
    ['regimen OTHER without a name', { ...example('ChemotherapyStarted'), data: { regimen: 'OTHER' } }, ['data.regimenName:REQUIRED']],
    ['a regimen name for FLAG', { ...example('ChemotherapyStarted'), data: { ...chemoStarted('2026-01-01').data, regimenName: 'x' } }, ['data.regimenName:NOT_ALLOWED']],
    ['TBI without a dose', { ...example('ConditioningStarted'), data: { agents: ['TBI'], intensity: 'MAC' } }, ['data.tbiGy:REQUIRED']],
    ['a TBI dose without TBI', { ...example('ConditioningStarted'), data: { ...conditioningStarted('2026-01-01').data, tbiGy: 2 } }, ['data.tbiGy:NOT_ALLOWED']],
    ['no conditioning agent', { ...example('ConditioningStarted'), data: { agents: [], intensity: 'RIC' } }, ['data.agents:ARRAY_SIZE']],
    ['a repeated agent', { ...example('ConditioningStarted'), data: { agents: ['ATG', 'ATG'], intensity: 'RIC' } }, ['data.agents:DUPLICATE_ITEM']],
    ['acute GVHD without a GVHD grade', { ...example('AdverseEventReported'), data: { ...aeReported('2026-01-01', { category: 'ACUTE_GVHD' }).data } }, ['data.gvhdGrade:REQUIRED']],
    ['acute GVHD with a chronic grade', { ...example('AdverseEventReported'), data: { ...aeReported('2026-01-01', { category: 'ACUTE_GVHD', gvhdGrade: 'SEVERE' }).data } }, ['data.gvhdGrade:NOT_ALLOWED']],
    ['a GVHD grade on an infection', { ...example('AdverseEventReported'), data: { ...aeReported('2026-01-01', { category: 'INFECTION', gvhdGrade: 'II' }).data } }, ['data.gvhdGrade:NOT_ALLOWED']],
    ['an update that changes nothing', { ...example('AdverseEventUpdated'), data: { aeId: 'AE-3' } }, ['data:NOTHING_CHANGED']],
    ['a correction that changes nothing', { ...example('EventCorrected'), data: { targetEventId: syntheticId(1), reason: 'x' } }, ['data:NOTHING_CHANGED']],
    ['a correction without a reason', { ...example('EventCorrected'), data: { targetEventId: syntheticId(1), occurredOn: '2026-01-01' } }, ['data.reason:REQUIRED']],
    ['a void with an empty reason', { ...example('EventVoided'), data: { targetEventId: syntheticId(1), reason: '' } }, ['data.reason:EMPTY']],
    ['a huge term', { ...example('AdverseEventReported'), data: { ...aeReported('2026-01-01').data, term: 'x'.repeat(100_000) } }, ['data.term:TOO_LONG']],
    ['unknown metadata', { ...example('FollowUpRecorded'), metadata: { user: 'dr-x' } }, ['metadata.user:UNKNOWN_FIELD']],
    ['a number as event', 42, [':WRONG_TYPE']],
    ['null', null, [':WRONG_TYPE']],
    ['an empty batch', [], [':EMPTY_BATCH']],
  ])('rejects %s, naming the field', (_what, body, expected) => {
    expect(codesOf(body)).toEqual(expected);
  });

  it('reports every failing field of every event of a batch, with its index', () => {
    const body = [example('FollowUpRecorded', 1), { ...example('FollowUpRecorded', 2), occurredOn: '2026-02-30', data: { x: 1 } }, { type: 'Nope' }];
    expect(codesOf(body)).toEqual([
      '[1].occurredOn:INVALID_DATE',
      '[1].data.x:UNKNOWN_FIELD',
      '[2].eventId:REQUIRED',
      '[2].type:UNKNOWN_EVENT_TYPE',
      '[2].data:REQUIRED',
    ]);
  });

  it('rejects prototype keys and deep nesting before building anything', () => {
    const polluted = JSON.parse(`{"eventId":"${syntheticId(1)}","type":"FollowUpRecorded","occurredOn":"2026-01-01","data":{"__proto__":{"admin":true}}}`);
    expect(codesOf(polluted)).toEqual(['data.__proto__:FORBIDDEN_KEY']);
    expect(codesOf({ ...example('FollowUpRecorded'), data: { constructor: { prototype: 1 } } })).toEqual(['data.constructor:FORBIDDEN_KEY']);
    let deep: unknown = {};
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    expect(codesOf({ ...example('FollowUpRecorded'), data: deep })[0]).toMatch(/:TOO_DEEP$/);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  describe('keys that are not in the catalogue, whatever their name', () => {
    // Names a new object inherits as functions: class-transformer skips them, so the whitelist never saw them.
    const inherited = Object.getOwnPropertyNames(Object.prototype).filter((name) => name !== '__proto__' && name !== 'constructor');
    const withKey = (key: string) => ({ [key]: 'synthetic' });
    const places: ReadonlyArray<[where: string, build: (key: string) => unknown, path: (key: string) => string]> = [
      ['data', (key) => ({ ...example('ResponseAssessed'), data: { ...EVENT_EXAMPLES.ResponseAssessed.data, ...withKey(key) } }), (key) => `data.${key}`],
      ['data of a type without fields', (key) => ({ ...example('FollowUpRecorded'), data: withKey(key) }), (key) => `data.${key}`],
      ['a nested object', (key) => ({ ...example('PatientEnrolled'), data: { ...enrolled().data, diagnosis: { ...enrolled().data.diagnosis, ...withKey(key) } } }), (key) => `data.diagnosis.${key}`],
      ['an object two levels down', (key) => ({ ...example('PatientEnrolled'), data: { ...enrolled().data, eligibility: { ...enrolled().data.eligibility, exclusions: { ...enrolled().data.eligibility.exclusions, ...withKey(key) } } } }), (key) => `data.eligibility.exclusions.${key}`],
      ['metadata', (key) => ({ ...example('FollowUpRecorded'), metadata: { source: 'EDC-site-01', ...withKey(key) } }), (key) => `metadata.${key}`],
      ['a batch', (key) => [example('FollowUpRecorded', 1), { ...example('ResponseAssessed', 2), data: { ...EVENT_EXAMPLES.ResponseAssessed.data, ...withKey(key) } }], (key) => `[1].data.${key}`],
    ];

    it.each(places)('rejects toString, valueOf, hasOwnProperty... in %s, naming the path', (_where, build, path) => {
      const found = inherited.map((key) => codesOf(build(key)));
      expect(found).toEqual(inherited.map((key) => [`${path(key)}:UNKNOWN_FIELD`]));
    });

    it('rejects them in a correction\'s replacement data too', () => {
      for (const key of inherited) {
        expect(validateCorrectionData('ChemotherapyStarted', { ...chemoStarted('2026-01-01').data, ...withKey(key) }, 'data.data')).toEqual([
          expect.objectContaining({ path: `data.data.${key}`, code: 'UNKNOWN_FIELD' }),
        ]);
      }
    });

    it('rejects any key a nested object of the catalogue does not list', () => {
      const known = new Set(Object.keys(enrolled().data.diagnosis));
      fc.assert(
        fc.property(fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.constantFrom(...inherited)), (key) => {
          fc.pre(!known.has(key) && key !== '__proto__' && key !== 'constructor' && key !== 'prototype');
          const body = { ...example('PatientEnrolled'), data: { ...enrolled().data, diagnosis: { ...enrolled().data.diagnosis, ...withKey(key) } } };
          expect(codesOf(body)).toEqual([`data.diagnosis.${key}:UNKNOWN_FIELD`]);
        }),
        { numRuns: 200 },
      );
    });
  });

  it(`refuses a batch of more than ${MAX_BATCH} events`, () => {
    const body = Array.from({ length: MAX_BATCH + 1 }, (_, i) => example('FollowUpRecorded', i));
    expect(codesOf(body)).toEqual([':BATCH_TOO_LARGE']);
  });
});

describe('validateCorrectionData', () => {
  it('checks replacement data as data of the target type, at the correction path', () => {
    expect(validateCorrectionData('AdverseEventReported', { ...aeReported('2026-01-01').data, ctcaeGrade: 0 }, 'data.data')).toEqual([
      expect.objectContaining({ path: 'data.data.ctcaeGrade', code: 'NOT_ALLOWED' }),
    ]);
    expect(validateCorrectionData('ChemotherapyStarted', { regimen: 'OTHER' }, '[0].data.data')).toEqual([
      expect.objectContaining({ path: '[0].data.data.regimenName', code: 'REQUIRED' }),
    ]);
    expect(validateCorrectionData('ChemotherapyStarted', chemoStarted('2026-01-01').data, 'data.data')).toEqual([]);
  });
});
