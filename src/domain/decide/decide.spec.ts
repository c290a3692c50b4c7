import { AE_CATEGORIES, type AdverseEventUpdatedData, type AeCategory, type ClinicalEvent } from '../events/clinical-event';
import {
  aeReported,
  aeUpdated,
  asHistory,
  chemoStarted,
  conditioningStarted,
  corrected,
  died,
  engrafted,
  enrolled,
  enrollmentData,
  followUp,
  gpbmcInfused,
  relapsed,
  stemCellsInfused,
  syntheticId,
  voided,
  withdrawn,
} from '../testing/journey.fixtures';
import { decide, deviationsAddedBy, type Decision, type RuleCode, type RuleViolation } from './decide';

const TODAY = '2025-12-31';

// One patient's protocol course, reused as the given history of most cases.
const enrollment = enrolled('2025-03-01');
const chemo = chemoStarted('2025-03-05');
const gpbmc = gpbmcInfused('2025-03-10');
const conditioning = conditioningStarted('2025-04-01');
const day0 = stemCellsInfused('2025-04-08');
const neutrophils = engrafted('2025-04-25', 'NEUTROPHIL');
const ae1 = aeReported('2025-04-20', { aeId: 'AE-1' });
const ae1Worse = aeUpdated('2025-04-24', 'AE-1', { ctcaeGrade: 4 });
const relapse = relapsed('2025-09-01');
const contact = followUp('2025-10-01');
const death = died('2025-10-20');
const withdrawal = withdrawn('2025-06-01');

const course = [enrollment, chemo, gpbmc, conditioning, day0, neutrophils, ae1, ae1Worse];

function when(given: readonly ClinicalEvent[], incoming: readonly ClinicalEvent[], today = TODAY): Decision {
  return decide(asHistory(given), incoming, today);
}

function violationsOf(decision: Decision): readonly RuleViolation[] {
  if (decision.kind !== 'rejected') throw new Error(`expected a rejection, got ${JSON.stringify(decision)}`);
  return decision.violations;
}

/** The codes of a decision; a broken correction reads `CORRECTION_BREAKS_RULES: <cause codes>`. */
const codes = (decision: Decision): string[] | 'accepted' =>
  decision.kind === 'accepted' ? 'accepted'
    : decision.violations.map((v) => (v.causes ? `${v.code}: ${v.causes.map((c) => c.code).join(', ')}` : v.code));

type Case = [name: string, given: readonly ClinicalEvent[], incoming: readonly ClinicalEvent[], expected: (RuleCode | `CORRECTION_BREAKS_RULES: ${string}`)[] | 'accepted'];
const table = (cases: readonly Case[]) => cases.map(([name, given, incoming, expected]) => ({ name, given, incoming, expected }));

describe('decide: facts', () => {
  const cases: Case[] = [
    // first event and enrollment
    ['an enrollment into an empty stream', [], [enrollment], 'accepted'],
    ['a first event that is not an enrollment', [], [followUp('2025-03-02')], ['FIRST_EVENT_NOT_ENROLLMENT']],
    // A batch is judged by the history it leaves: its enrollment, dated first, may come second in it.
    // Revision 0 is the enrollment, whatever the dates: the stream opens with it in recording order too.
    ['a first batch whose enrollment comes second, dated before the rest', [], [chemoStarted('2025-03-05'), enrolled('2025-03-01')], ['FIRST_EVENT_NOT_ENROLLMENT']],
    ['a first batch whose enrollment comes second on the same date', [], [chemoStarted('2025-03-01'), enrolled('2025-03-01')], ['FIRST_EVENT_NOT_ENROLLMENT']],
    ['a first batch of enrollment then chemotherapy on the same day', [], [enrolled('2025-03-01'), chemoStarted('2025-03-01')], 'accepted'],
    ['a second enrollment', [enrollment], [enrolled('2025-03-02')], ['ALREADY_ENROLLED']],
    ['an enrollment consented after its date', [], [enrolled('2025-03-01', { consentSignedOn: '2025-03-02' })], ['CONSENT_AFTER_ENROLLMENT']],
    ['an enrollment consented on its date', [], [enrolled('2025-03-01', { consentSignedOn: '2025-03-01' })], 'accepted'],
    ['an ineligible enrollment', [], [enrolled('2025-03-01', { ageYears: 14 })], ['INELIGIBLE']],
    ['an ineligible enrollment with a blank waiver reason', [], [enrolled('2025-03-01', { ageYears: 14, eligibilityWaiver: { reason: '  ' } })], ['INELIGIBLE']],
    ['an ineligible enrollment with a waiver cannot excuse a late consent', [],
      [enrolled('2025-03-01', { ageYears: 14, consentSignedOn: '2025-03-05', eligibilityWaiver: { reason: 'sponsor approved' } })], ['CONSENT_AFTER_ENROLLMENT']],

    // clinical dates
    ['an event dated before the enrollment', [enrollment], [followUp('2025-02-28')], ['DATE_BEFORE_ENROLLMENT']],
    ['an event dated on the enrollment date', [enrollment], [followUp('2025-03-01')], 'accepted'],
    ['an event dated after the death', [...course, death], [followUp('2025-10-21')], ['DATE_AFTER_DEATH']],
    ['an AE with onset on the day of death', [...course, death], [aeReported('2025-10-20', { aeId: 'AE-9' })], 'accepted'],
    ['an event dated today + 1', [enrollment], [followUp('2026-01-01')], 'accepted'],
    ['an event dated today + 2', [enrollment], [followUp('2026-01-02')], ['DATE_IN_FUTURE']],
    ['a death dated before a recorded follow-up', [...course, contact], [died('2025-09-30')], ['DATE_AFTER_DEATH']],
    ['an AE dated before a recorded relapse (out of order, fine)', [...course, relapse], [aeReported('2025-08-01', { aeId: 'AE-2' })], 'accepted'],
    ['chemotherapy entered after Day 0 with an earlier date', [enrollment, day0], [chemoStarted('2025-03-05')], 'accepted'],

    // events that happen once
    ['a second Day 0', course, [stemCellsInfused('2025-04-09')], ['DAY0_ALREADY_RECORDED']],
    ['a second death', [...course, death], [died('2025-10-20')], ['ALREADY_DEAD']],
    ['a second withdrawal', [...course, withdrawal], [withdrawn('2025-06-02')], ['ALREADY_WITHDRAWN']],
    ['a second neutrophil engraftment', course, [engrafted('2025-04-27', 'NEUTROPHIL')], ['ENGRAFTMENT_ALREADY_RECORDED']],
    ['a platelet engraftment after the neutrophil one', course, [engrafted('2025-05-02', 'PLATELET')], 'accepted'],
    ['an engraftment on Day 0', course.slice(0, 5), [engrafted('2025-04-08', 'PLATELET')], ['ENGRAFTMENT_NOT_AFTER_DAY0']],
    ['an engraftment entered before its Day 0', course.slice(0, 4), [engrafted('2025-04-25')], 'accepted'],
    ['a Day 0 dated on or after a recorded engraftment', [...course.slice(0, 4), neutrophils], [stemCellsInfused('2025-04-25')], ['ENGRAFTMENT_NOT_AFTER_DAY0']],

    // withdrawal
    ['a follow-up contact after withdrawal', [...course, withdrawal], [followUp('2025-09-01')], 'accepted'],
    ['a death after withdrawal', [...course, withdrawal], [died('2025-09-01')], 'accepted'],
    ['an AE update after withdrawal', [...course, withdrawal], [aeUpdated('2025-07-01', 'AE-1', { resolvedOn: '2025-06-30' })], 'accepted'],
    ['a new AE after withdrawal', [...course, withdrawal], [aeReported('2025-07-01', { aeId: 'AE-2' })], ['EVENT_AFTER_WITHDRAWAL']],
    ['a relapse after withdrawal', [...course, withdrawal], [relapsed('2025-07-01')], ['EVENT_AFTER_WITHDRAWAL']],
    ['a treatment step after withdrawal', [enrollment, withdrawn('2025-03-03')], [chemoStarted('2025-03-04')], ['EVENT_AFTER_WITHDRAWAL']],
    ['a treatment step on the day of withdrawal', [enrollment, withdrawn('2025-03-03')], [chemoStarted('2025-03-03')], 'accepted'],
    // Day 0, the engraftment and the AE report would follow the withdrawal; the AE update may.
    ['a withdrawal dated before a recorded Day 0', course, [withdrawn('2025-04-01')], ['EVENT_AFTER_WITHDRAWAL', 'EVENT_AFTER_WITHDRAWAL', 'EVENT_AFTER_WITHDRAWAL']],

    // adverse events
    ['a duplicate AE id', course, [aeReported('2025-05-01', { aeId: 'AE-1', term: 'Mucositis' })], ['DUPLICATE_AE_ID']],
    ['an update of an AE never reported', course, [aeUpdated('2025-05-01', 'AE-7')], ['AE_NOT_FOUND']],
    ['an update dated before the onset', course, [aeUpdated('2025-04-19', 'AE-1')], ['AE_UPDATE_BEFORE_ONSET']],
    ['a resolution before the onset', course, [aeUpdated('2025-05-01', 'AE-1', { resolvedOn: '2025-04-19' })], ['AE_RESOLVED_BEFORE_ONSET']],
    ['a resolution on the onset date', course, [aeUpdated('2025-04-20', 'AE-1', { resolvedOn: '2025-04-20' })], 'accepted'],
    ['a resolution after today + 1', course, [aeUpdated('2025-12-31', 'AE-1', { resolvedOn: '2026-01-02' })], ['DATE_IN_FUTURE']],
    ['a resolution after the death', [...course, death], [aeUpdated('2025-10-20', 'AE-1', { resolvedOn: '2025-10-21' })], ['DATE_AFTER_DEATH']],
    ['a report and its update in one batch', course, [aeReported('2025-05-01', { aeId: 'AE-2' }), aeUpdated('2025-05-03', 'AE-2', { ctcaeGrade: 2 })], 'accepted'],
    ['an update before its report in one batch (the batch is atomic)', course, [aeUpdated('2025-05-03', 'AE-2'), aeReported('2025-05-01', { aeId: 'AE-2' })], 'accepted'],
    ['an update whose report comes in a later request', course, [aeUpdated('2025-05-03', 'AE-2')], ['AE_NOT_FOUND']],

    // event ids
    ['an event id already in the stream', course, [{ ...followUp('2025-05-01'), eventId: chemo.eventId }], ['DUPLICATE_EVENT_ID']],
  ];

  it.each(table(cases))('given $name, then $expected', ({ given, incoming, expected }) => {
    expect(codes(when(given, incoming))).toEqual(expected);
  });

  it('rejects an event id repeated inside one batch, at its second occurrence', () => {
    const contactOnce = followUp('2025-05-01');
    const decision = when(course, [contactOnce, contactOnce]);
    expect(violationsOf(decision)).toEqual([expect.objectContaining({ code: 'DUPLICATE_EVENT_ID', eventIndex: 1, eventId: contactOnce.eventId })]);
  });

  it('collects every violation of a batch, each with its index, not only the first', () => {
    const batch = [followUp('2025-02-01'), followUp('2025-05-01'), stemCellsInfused('2025-04-10'), aeUpdated('2025-05-02', 'AE-404'), followUp('2026-02-01')];
    const decision = when(course, batch);
    expect(violationsOf(decision).map((v) => [v.code, v.eventIndex, v.eventId])).toEqual([
      ['DATE_BEFORE_ENROLLMENT', 0, batch[0].eventId],
      ['DAY0_ALREADY_RECORDED', 2, batch[2].eventId],
      ['AE_NOT_FOUND', 3, batch[3].eventId],
      ['DATE_IN_FUTURE', 4, batch[4].eventId],
    ]);
  });

  it('lists every failed eligibility criterion of an ineligible enrollment', () => {
    const ineligible = enrolled('2025-03-01', { ageYears: 14, eligibility: { lvefPercent: 45, exclusions: { pregnantOrNursing: true } } });
    const [violation] = violationsOf(when([], [ineligible]));
    expect(violation).toMatchObject({ code: 'INELIGIBLE', eventIndex: 0, eventId: ineligible.eventId });
    expect(violation.criteria?.map((c) => c.criterion)).toEqual(['AGE_AT_LEAST_15', 'LVEF_ABOVE_50', 'EXCLUSION_PREGNANT_OR_NURSING']);
  });

  it('accepts a waived enrollment and returns the ELIGIBILITY_WAIVED deviation', () => {
    const waived = enrolled('2025-03-01', { ageYears: 14, eligibilityWaiver: { reason: 'sponsor approved: adolescent cohort' } });
    expect(when([], [waived])).toEqual({
      kind: 'accepted',
      events: [waived],
      deviations: [expect.objectContaining({ code: 'ELIGIBILITY_WAIVED', eventId: waived.eventId, date: '2025-03-01' })],
    });
  });

  it('returns only the deviations the batch adds', () => {
    const skippedChemo = [enrollment, gpbmcInfused('2025-03-10')];
    expect(when(skippedChemo, [followUp('2025-03-20')])).toEqual(expect.objectContaining({ kind: 'accepted', deviations: [] }));
    const straightToDay0 = stemCellsInfused('2025-04-08');
    expect(when(skippedChemo, [straightToDay0])).toEqual(expect.objectContaining({
      kind: 'accepted',
      deviations: [expect.objectContaining({ code: 'DAY0_WITHOUT_CONDITIONING', eventId: straightToDay0.eventId })],
    }));
  });

  it('names the recorded event a fact conflicts with', () => {
    const [sooner] = violationsOf(when([...course, contact], [died('2025-09-30')]));
    expect(sooner).toMatchObject({ code: 'DATE_AFTER_DEATH', relatedEventId: contact.eventId });
    const [second] = violationsOf(when(course, [stemCellsInfused('2025-04-09')]));
    expect(second).toMatchObject({ code: 'DAY0_ALREADY_RECORDED', relatedEventId: day0.eventId });
  });

  it('does not blame a new event for a violation already standing in the stored history', () => {
    // Stored when the writer's clock was ahead: tomorrow's contact is already there.
    const given = [enrollment, followUp('2026-01-05')];
    expect(codes(when(given, [followUp('2025-12-01')]))).toBe('accepted');
  });
});

describe('decide: corrections and voids', () => {
  const fix = corrected(day0, { occurredOn: '2025-04-09' });
  const cases: Case[] = [
    ['a correction of an unknown event', course, [corrected(syntheticId(404, 0xbad), { occurredOn: '2025-04-09' })], ['TARGET_NOT_FOUND']],
    ['a void of an unknown event', course, [voided(syntheticId(404, 0xbad))], ['TARGET_NOT_FOUND']],
    ['a correction of a correction', [...course, fix], [corrected(fix, { occurredOn: '2025-04-10' })], ['CORRECTION_OF_CORRECTION']],
    ['a void of a correction', [...course, fix], [voided(fix)], ['CORRECTION_OF_CORRECTION']],
    ['a void of a void', [...course, contact, voided(contact, 'duplicate', syntheticId(1, 0xbad))], [voided(syntheticId(1, 0xbad))], ['CORRECTION_OF_CORRECTION']],
    ['a second void of the same event', [...course, contact, voided(contact)], [voided(contact)], ['TARGET_VOIDED']],
    ['a correction of a voided event', [...course, contact, voided(contact)], [corrected(contact, { occurredOn: '2025-10-02' })], ['TARGET_VOIDED']],
    ['a correction of an event earlier in the same batch', course, [contact, corrected(contact, { occurredOn: '2025-10-02' })], 'accepted'],
    ['a correction of Day 0 by a day', course, [corrected(day0, { occurredOn: '2025-04-09' })], 'accepted'],
    ['a correction moving Day 0 before the enrollment', course, [corrected(day0, { occurredOn: '2025-02-20' })], ['CORRECTION_BREAKS_RULES: DATE_BEFORE_ENROLLMENT']],
    ['a correction to a date after today + 1', [...course, contact], [corrected(contact, { occurredOn: '2026-01-02' })], ['CORRECTION_BREAKS_RULES: DATE_IN_FUTURE']],
    ['a void of the enrollment while other events exist', [enrollment, chemo], [voided(enrollment)], ['CORRECTION_BREAKS_RULES: FIRST_EVENT_NOT_ENROLLMENT']],
    ['a void of the enrollment when it is the only event', [enrollment], [voided(enrollment)], 'accepted'],
    ['the only death voided', [...course, death], [voided(death)], 'accepted'],
    ['a death corrected to before the last event', [...course, contact, death], [corrected(death, { occurredOn: '2025-09-15' })], ['CORRECTION_BREAKS_RULES: DATE_AFTER_DEATH']],
    ['an AE report voided while updates refer to it', course, [voided(ae1)], ['CORRECTION_BREAKS_RULES: AE_NOT_FOUND']],
    ['an AE voided after its updates in one batch', course, [voided(ae1Worse), voided(ae1)], 'accepted'],
    ['an AE voided before its updates in one batch (the batch is atomic)', course, [voided(ae1), voided(ae1Worse)], 'accepted'],
    ['an engraftment corrected onto Day 0', course, [corrected(neutrophils, { occurredOn: '2025-04-08' })], ['CORRECTION_BREAKS_RULES: ENGRAFTMENT_NOT_AFTER_DAY0']],
    ['a withdrawal corrected to before Day 0', [...course, withdrawal], [corrected(withdrawal, { occurredOn: '2025-04-07' })],
      ['CORRECTION_BREAKS_RULES: EVENT_AFTER_WITHDRAWAL, EVENT_AFTER_WITHDRAWAL, EVENT_AFTER_WITHDRAWAL']],
    ['a withdrawal voided, so a relapse after it may follow', [...course, withdrawal], [voided(withdrawal), relapsed('2025-09-01')], 'accepted'],
    ['a consent date corrected to after the enrollment', course, [corrected(enrollment, { data: { ...enrollment.data, consentSignedOn: '2025-03-02' } })],
      ['CORRECTION_BREAKS_RULES: CONSENT_AFTER_ENROLLMENT']],
    ['an AE onset corrected to after its update', course, [corrected(ae1, { occurredOn: '2025-04-26' })], ['CORRECTION_BREAKS_RULES: AE_UPDATE_BEFORE_ONSET']],
    ['an AE id corrected to a duplicate', [...course, aeReported('2025-05-01', { aeId: 'AE-2' })],
      [corrected(ae1, { data: { ...ae1.data, aeId: 'AE-2' } })], ['CORRECTION_BREAKS_RULES: AE_NOT_FOUND, DUPLICATE_AE_ID']],
    ['an AE id corrected to a free one, its update voided first', course,
      [voided(ae1Worse), corrected(ae1, { data: { ...ae1.data, aeId: 'AE-2' } }), aeUpdated('2025-04-30', 'AE-2')], 'accepted'],
    ['a waiver removed from an ineligible enrollment', [enrolled('2025-03-01', { ageYears: 14, eligibilityWaiver: { reason: 'approved' } }, syntheticId(2, 0xbad))],
      [corrected(syntheticId(2, 0xbad), { data: enrollmentData('2025-03-01', { ageYears: 14 }) })], ['CORRECTION_BREAKS_RULES: INELIGIBLE']],
  ];

  it.each(table(cases))('given $name, then $expected', ({ given, incoming, expected }) => {
    expect(codes(when(given, incoming))).toEqual(expected);
  });

  it('lists as causes what the corrected history would break, naming the events at fault', () => {
    const move = corrected(death, { occurredOn: '2025-08-15' });
    const [violation] = violationsOf(when([...course, relapse, contact, death], [move]));
    expect(violation).toMatchObject({ code: 'CORRECTION_BREAKS_RULES', eventIndex: 0, eventId: move.eventId, relatedEventId: death.eventId });
    expect(violation.causes?.map((c) => [c.code, c.eventId])).toEqual([
      ['DATE_AFTER_DEATH', relapse.eventId],
      ['DATE_AFTER_DEATH', contact.eventId],
    ]);
  });

  it('blames every event left without an enrollment when the enrollment is voided', () => {
    const [violation] = violationsOf(when([enrollment, chemo, gpbmc], [voided(enrollment)]));
    expect(violation.causes?.map((c) => [c.code, c.eventId])).toEqual([
      ['FIRST_EVENT_NOT_ENROLLMENT', chemo.eventId],
      ['FIRST_EVENT_NOT_ENROLLMENT', gpbmc.eventId],
    ]);
  });

  it('re-checks eligibility of a corrected enrollment and lists the failed criteria in the cause', () => {
    const lowered = corrected(enrollment, { data: enrollmentData('2025-03-01', { eligibility: { lvefPercent: 50 } }) });
    const [violation] = violationsOf(when(course, [lowered]));
    expect(violation.causes).toEqual([
      expect.objectContaining({ code: 'INELIGIBLE', eventId: enrollment.eventId, criteria: [expect.objectContaining({ criterion: 'LVEF_ABOVE_50', value: 50 })] }),
    ]);
  });

  it('accepts a new enrollment once a mistaken one is voided', () => {
    const mistaken = enrolled('2025-03-01');
    expect(codes(when([mistaken, voided(mistaken)], [enrolled('2025-03-02')]))).toBe('accepted');
  });

  it('returns the deviation a correction introduces', () => {
    const late = corrected(gpbmc, { occurredOn: '2025-04-02' });
    expect(when(course, [late])).toEqual(expect.objectContaining({
      kind: 'accepted',
      deviations: [expect.objectContaining({ code: 'CONDITIONING_WITHOUT_GPBMC', eventId: conditioning.eventId })],
    }));
  });
});

describe('decide: a correction or void may not leave an impossible history', () => {
  const platelets = engrafted('2025-05-02', 'PLATELET');
  const transplanted = [...course, platelets];

  /** The one CORRECTION_BREAKS_RULES violation of a decision. */
  const brokenBy = (decision: Decision): RuleViolation => {
    const violations = violationsOf(decision);
    expect(violations).toHaveLength(1);
    expect(violations[0].code).toBe('CORRECTION_BREAKS_RULES');
    return violations[0];
  };
  /** Each cause as [rule code, event at fault, its type, its date as it would stand]. */
  const causesOf = (violation: RuleViolation) => (violation.causes ?? []).map((c) => [c.code, c.eventId, c.eventType, c.occurredOn]);

  describe('Day 0 and engraftment', () => {
    it('given an engraftment standing, when Day 0 is voided, then 422 names the engraftment to void or correct first', () => {
      const voidDay0 = voided(day0);
      const violation = brokenBy(when(course, [voidDay0]));
      expect(violation).toMatchObject({ eventIndex: 0, eventId: voidDay0.eventId, relatedEventId: day0.eventId });
      expect(causesOf(violation)).toEqual([['ENGRAFTMENT_WITHOUT_DAY0', neutrophils.eventId, 'EngraftmentRecorded', '2025-04-25']]);
      expect(violation.message).toBe(
        `voiding Day 0 ${day0.eventId} (2025-04-08) would break 1 rule: EngraftmentRecorded ${neutrophils.eventId} of 2025-04-25 has no Day 0 to follow ` +
        `(ENGRAFTMENT_WITHOUT_DAY0); void or correct engraftment ${neutrophils.eventId} (NEUTROPHIL, 2025-04-25) first, or send them together in one batch`,
      );
    });

    it('given both lineages engrafted, when Day 0 is voided, then every engraftment is named', () => {
      const violation = brokenBy(when(transplanted, [voided(day0)]));
      expect(causesOf(violation).map(([code, id]) => [code, id])).toEqual([
        ['ENGRAFTMENT_WITHOUT_DAY0', neutrophils.eventId],
        ['ENGRAFTMENT_WITHOUT_DAY0', platelets.eventId],
      ]);
      expect(violation.message).toMatch(new RegExp(
        `void or correct engraftment ${neutrophils.eventId} \\(NEUTROPHIL, 2025-04-25\\) and engraftment ${platelets.eventId} \\(PLATELET, 2025-05-02\\) first`,
      ));
    });

    const cases: Case[] = [
      ['Day 0 voided with its engraftments in one batch, engraftments first', transplanted, [voided(neutrophils), voided(platelets), voided(day0)], 'accepted'],
      ['Day 0 voided with its engraftments in one batch, Day 0 first', transplanted, [voided(day0), voided(neutrophils), voided(platelets)], 'accepted'],
      ['Day 0 voided with only one of two engraftments', transplanted, [voided(day0), voided(platelets)], ['CORRECTION_BREAKS_RULES: ENGRAFTMENT_WITHOUT_DAY0']],
      ['Day 0 voided and recorded again on its true date in one batch', course, [voided(day0), stemCellsInfused('2025-04-09')], 'accepted'],
      ['Day 0 recorded again on its true date, then the old one voided, in one batch', course, [stemCellsInfused('2025-04-09'), voided(day0)], 'accepted'],
      ['Day 0 voided with no engraftment standing', course.filter((e) => e !== neutrophils), [voided(day0)], 'accepted'],
      ['Day 0 corrected to after the engraftment', course, [corrected(day0, { occurredOn: '2025-04-26' })], ['CORRECTION_BREAKS_RULES: ENGRAFTMENT_NOT_AFTER_DAY0']],
      ['Day 0 corrected onto the engraftment date', course, [corrected(day0, { occurredOn: '2025-04-25' })], ['CORRECTION_BREAKS_RULES: ENGRAFTMENT_NOT_AFTER_DAY0']],
      ['Day 0 corrected to the day before the engraftment', course, [corrected(day0, { occurredOn: '2025-04-24' })], 'accepted'],
      ['Day 0 and its engraftment corrected later together', course,
        [corrected(day0, { occurredOn: '2025-04-26' }), corrected(neutrophils, { occurredOn: '2025-05-10' })], 'accepted'],
      // Facts may arrive out of order: an engraftment may wait for its Day 0, and be corrected meanwhile.
      ['an engraftment entered before its Day 0', course.slice(0, 4), [engrafted('2025-04-25')], 'accepted'],
      ['an engraftment waiting for its Day 0 corrected', [...course.slice(0, 4), neutrophils], [corrected(neutrophils, { occurredOn: '2025-04-26' })], 'accepted'],
      ['an engraftment waiting for its Day 0, then Day 0 voided', [...course.slice(0, 4), neutrophils, day0], [voided(day0)],
        ['CORRECTION_BREAKS_RULES: ENGRAFTMENT_WITHOUT_DAY0']],
    ];
    it.each(table(cases))('given $name, then $expected', ({ given, incoming, expected }) => {
      expect(codes(when(given, incoming))).toEqual(expected);
    });

    it('names the engraftment at its date as corrected, when Day 0 is corrected past it', () => {
      const violation = brokenBy(when(course, [corrected(day0, { occurredOn: '2025-04-30' })]));
      expect(causesOf(violation)).toEqual([['ENGRAFTMENT_NOT_AFTER_DAY0', neutrophils.eventId, 'EngraftmentRecorded', '2025-04-25']]);
      expect(violation.message).toMatch(new RegExp(`^correcting Day 0 ${day0.eventId} \\(2025-04-08\\) to 2025-04-30 would break 1 rule: .*void or correct engraftment ${neutrophils.eventId} \\(NEUTROPHIL, 2025-04-25\\) first`));
    });
  });

  describe('death', () => {
    const given = [...course, relapse, contact, death];
    it('given a follow-up on 2025-10-01, when the death is corrected to 2025-09-30, then 422 names the follow-up', () => {
      const violation = brokenBy(when(given, [corrected(death, { occurredOn: '2025-09-30' })]));
      expect(causesOf(violation)).toEqual([['DATE_AFTER_DEATH', contact.eventId, 'FollowUpRecorded', '2025-10-01']]);
      expect(violation.message).toMatch(new RegExp(`void or correct follow-up ${contact.eventId} \\(2025-10-01\\) first, or send them together in one batch$`));
    });

    const cases: Case[] = [
      ['the death corrected onto the date of the last contact', given, [corrected(death, { occurredOn: '2025-10-01' })], 'accepted'],
      ['the death corrected before a contact voided in the same batch', given, [corrected(death, { occurredOn: '2025-09-30' }), voided(contact)], 'accepted'],
      ['the death corrected before an AE resolution', [...course, aeUpdated('2025-06-01', 'AE-1', { resolvedOn: '2025-06-01' }), death],
        [corrected(death, { occurredOn: '2025-05-20' })], ['CORRECTION_BREAKS_RULES: DATE_AFTER_DEATH, DATE_AFTER_DEATH']],
    ];
    it.each(table(cases))('given $name, then $expected', ({ given: history, incoming, expected }) => {
      expect(codes(when(history, incoming))).toEqual(expected);
    });
  });

  describe('adverse events', () => {
    // The updates would name an AE that does not exist, which an update may never do.
    it('given an AE with an update standing, when its report is voided, then 422 names the update', () => {
      const violation = brokenBy(when(course, [voided(ae1)]));
      expect(causesOf(violation)).toEqual([['AE_NOT_FOUND', ae1Worse.eventId, 'AdverseEventUpdated', '2025-04-24']]);
      expect(violation.message).toMatch(new RegExp(`^voiding AE report ${ae1.eventId} \\(AE-1, 2025-04-20\\) would break 1 rule: .*void or correct AE update ${ae1Worse.eventId} \\(AE-1, 2025-04-24\\) first`));
    });

    const resolved = aeUpdated('2025-05-10', 'AE-1', { resolvedOn: '2025-05-09' });
    const cases: Case[] = [
      ['an AE voided with its updates in one batch, report first', [...course, resolved], [voided(ae1), voided(ae1Worse), voided(resolved)], 'accepted'],
      ['an AE voided with one of its two updates', [...course, resolved], [voided(ae1), voided(ae1Worse)], ['CORRECTION_BREAKS_RULES: AE_NOT_FOUND']],
      ['an AE onset corrected after its resolution date', [...course, resolved], [voided(ae1Worse), corrected(ae1, { occurredOn: '2025-05-09' })], 'accepted'],
      ['an AE onset corrected a day after its resolution date', [...course, resolved], [voided(ae1Worse), corrected(ae1, { occurredOn: '2025-05-10' })],
        ['CORRECTION_BREAKS_RULES: AE_RESOLVED_BEFORE_ONSET']],
    ];
    it.each(table(cases))('given $name, then $expected', ({ given, incoming, expected }) => {
      expect(codes(when(given, incoming))).toEqual(expected);
    });
  });

  describe('enrollment', () => {
    const cases: Case[] = [
      ['the enrollment corrected to after the chemotherapy', course, [corrected(enrollment, { occurredOn: '2025-03-06' })], ['CORRECTION_BREAKS_RULES: DATE_BEFORE_ENROLLMENT']],
      ['the enrollment corrected onto the chemotherapy date (recorded first, so still first)', course, [corrected(enrollment, { occurredOn: '2025-03-05' })], 'accepted'],
      ['the enrollment corrected to before its consent', course, [corrected(enrollment, { occurredOn: '2025-02-20' })], ['CORRECTION_BREAKS_RULES: CONSENT_AFTER_ENROLLMENT']],
      ['the enrollment voided and a new one entered in one batch', course, [voided(enrollment), enrolled('2025-03-01')], 'accepted'],
      ['a new enrollment entered, then the old one voided, in one batch', course, [enrolled('2025-03-01'), voided(enrollment)], 'accepted'],
      ['the enrollment voided and a new one entered after the chemotherapy', course, [voided(enrollment), enrolled('2025-03-06')], ['DATE_BEFORE_ENROLLMENT']],
    ];
    it.each(table(cases))('given $name, then $expected', ({ given, incoming, expected }) => {
      expect(codes(when(given, incoming))).toEqual(expected);
    });

    it('names every event the enrollment would come after, and spells out no more than five', () => {
      const violation = brokenBy(when(course, [corrected(enrollment, { occurredOn: '2025-05-01' })]));
      expect(causesOf(violation).map(([code, id]) => [code, id])).toEqual(
        [chemo, gpbmc, conditioning, day0, ae1, ae1Worse, neutrophils].map((e) => ['DATE_BEFORE_ENROLLMENT', e.eventId]),
      );
      expect(violation.message).toMatch(new RegExp(
        `void or correct chemotherapy ${chemo.eventId} \\(2025-03-05\\), GPBMC infusion ${gpbmc.eventId} \\(2025-03-10\\), conditioning ${conditioning.eventId} ` +
        `\\(2025-04-01\\), Day 0 ${day0.eventId} \\(2025-04-08\\) and 3 more events \\(all listed in causes\\) first`,
      ));
    });
  });

  describe('withdrawal', () => {
    const w1 = withdrawn('2025-06-01');
    const w2 = withdrawn('2025-07-01');
    const lateAe = aeReported('2025-05-20', { aeId: 'AE-2' });
    const given = [...course, lateAe, w1];
    const afterWithdrawal = [followUp('2025-08-01'), aeUpdated('2025-08-01', 'AE-2', { resolvedOn: '2025-07-30' }), died('2025-09-01')];

    it('given an AE on 2025-05-20, when the withdrawal is corrected to 2025-05-19, then 422 names the AE report', () => {
      const violation = brokenBy(when(given, [corrected(w1, { occurredOn: '2025-05-19' })]));
      expect(causesOf(violation)).toEqual([['EVENT_AFTER_WITHDRAWAL', lateAe.eventId, 'AdverseEventReported', '2025-05-20']]);
      expect(violation.message).toMatch(new RegExp(`void or correct AE report ${lateAe.eventId} \\(AE-2, 2025-05-20\\) first`));
    });

    const cases: Case[] = [
      ['the withdrawal corrected onto the date of the last AE', given, [corrected(w1, { occurredOn: '2025-05-20' })], 'accepted'],
      ['the withdrawal corrected later', given, [corrected(w1, { occurredOn: '2025-08-01' })], 'accepted'],
      // Nothing is allowed only after a withdrawal, so voiding one leaves every event standing.
      ['the withdrawal voided with contacts, a death and AE updates after it', [...given, ...afterWithdrawal], [voided(w1)], 'accepted'],
      ['a second withdrawal', given, [w2], ['ALREADY_WITHDRAWN']],
      ['the withdrawal voided and a later one entered in one batch', given, [voided(w1), w2], 'accepted'],
      ['a later withdrawal entered, then the first voided, in one batch', given, [w2, voided(w1)], 'accepted'],
      ['the withdrawal voided and an earlier one entered before the last AE', given, [voided(w1), withdrawn('2025-05-19')], ['EVENT_AFTER_WITHDRAWAL']],
      ['a voided withdrawal corrected', [...given, voided(w1), w2], [corrected(w1, { occurredOn: '2025-06-02' })], ['TARGET_VOIDED']],
      ['the standing withdrawal of two corrected before the last AE', [...given, voided(w1), w2], [corrected(w2, { occurredOn: '2025-04-22' })],
        ['CORRECTION_BREAKS_RULES: EVENT_AFTER_WITHDRAWAL, EVENT_AFTER_WITHDRAWAL']],
      ['the standing withdrawal of two voided', [...given, voided(w1), w2], [voided(w2)], 'accepted'],
      ['a relapse after the withdrawal entered with its void', given, [relapsed('2025-09-01'), voided(w1)], 'accepted'],
      ['a relapse after the withdrawal entered without its void', given, [relapsed('2025-09-01')], ['EVENT_AFTER_WITHDRAWAL']],
    ];
    it.each(table(cases))('given $name, then $expected', ({ given: history, incoming, expected }) => {
      expect(codes(when(history, incoming))).toEqual(expected);
    });

    it('names, for a fact that leaves events after it, each event it conflicts with', () => {
      const early = withdrawn('2025-05-19');
      const violations = violationsOf(when(given, [voided(w1), early]));
      expect(violations.map((v) => [v.code, v.eventIndex, v.eventId, v.relatedEventId])).toEqual([['EVENT_AFTER_WITHDRAWAL', 1, early.eventId, lateAe.eventId]]);
    });
  });

  describe('deviations are flagged, not refused', () => {
    const cases: ReadonlyArray<[name: string, target: ClinicalEvent, code: string, at: ClinicalEvent]> = [
      ['the GPBMC infusion voided', gpbmc, 'CONDITIONING_WITHOUT_GPBMC', conditioning],
      ['the conditioning voided', conditioning, 'DAY0_WITHOUT_CONDITIONING', day0],
      ['the chemotherapy voided', chemo, 'GPBMC_WITHOUT_CHEMOTHERAPY', gpbmc],
    ];
    it.each(cases)('given %s, then it is accepted with the deviation %s', (_name, target, code, at) => {
      expect(when(course, [voided(target)])).toEqual({
        kind: 'accepted',
        events: [expect.objectContaining({ type: 'EventVoided' })],
        deviations: [expect.objectContaining({ code, eventId: at.eventId })],
      });
    });
  });

  describe('a batch is judged by the history it leaves, each violation on the event that brought it in', () => {
    it('reports a broken void at its own index among good and bad facts', () => {
      const batch = [followUp('2025-05-01'), voided(day0), followUp('2025-02-01')];
      expect(violationsOf(when(course, batch)).map((v) => [v.code, v.eventIndex])).toEqual([
        ['CORRECTION_BREAKS_RULES', 1],
        ['DATE_BEFORE_ENROLLMENT', 2],
      ]);
    });

    it('blames the event that last brought a violation back, not the one whose breach a later event mended', () => {
      // Day 0 voided (breaks), re-entered (mends), voided again (breaks for good).
      const again = stemCellsInfused('2025-04-09');
      const batch = [voided(day0), again, voided(again)];
      expect(violationsOf(when(course, batch)).map((v) => [v.code, v.eventIndex, v.relatedEventId])).toEqual([['CORRECTION_BREAKS_RULES', 2, again.eventId]]);
    });

    it('does not blame a correction for a violation already standing in the stored history', () => {
      // Stored when the writer's clock was ahead: a contact dated after today + 1 already stands.
      const given = [...course, followUp('2026-01-05')];
      expect(codes(when(given, [voided(ae1Worse)]))).toBe('accepted');
    });
  });
});

describe('decide: an AE update\'s GVHD fields against the AE\'s category', () => {
  type Change = Omit<Partial<AdverseEventUpdatedData>, 'aeId'>;
  type Outcome = 'accepted' | RuleCode;
  const GRADE: Outcome = 'AE_GVHD_GRADE_NOT_FOR_CATEGORY';
  const THERAPY: Outcome = 'AE_SYSTEMIC_THERAPY_NOT_FOR_CATEGORY';
  const changes: ReadonlyArray<[what: string, change: Change]> = [
    ['a MAGIC grade', { gvhdGrade: 'IV' }],
    ['an NIH grade', { gvhdGrade: 'SEVERE' }],
    ['systemicTherapy true', { systemicTherapy: true }],
    ['systemicTherapy false', { systemicTherapy: false }],
    ['a CTCAE grade only', { ctcaeGrade: 4 }],
  ];
  // One row per category, one column per change above.
  const expected: Record<AeCategory, readonly Outcome[]> = {
    ACUTE_GVHD: ['accepted', GRADE, THERAPY, THERAPY, 'accepted'],
    CHRONIC_GVHD: [GRADE, 'accepted', 'accepted', 'accepted', 'accepted'],
    INFECTION: [GRADE, GRADE, THERAPY, THERAPY, 'accepted'],
    ORGAN_DYSFUNCTION: [GRADE, GRADE, THERAPY, THERAPY, 'accepted'],
    HEMATOLOGICAL_TOXICITY: [GRADE, GRADE, THERAPY, THERAPY, 'accepted'],
    OTHER: [GRADE, GRADE, THERAPY, THERAPY, 'accepted'],
  };
  /** A valid initial report of the category (the edge enforces its own GVHD fields). */
  const reportOf = (category: AeCategory, aeId = 'AE-G') => aeReported('2025-04-20', {
    aeId,
    category,
    ...(category === 'ACUTE_GVHD' ? { gvhdGrade: 'II' as const } : {}),
    ...(category === 'CHRONIC_GVHD' ? { gvhdGrade: 'MILD' as const, systemicTherapy: false } : {}),
  });
  const rows = AE_CATEGORIES.flatMap((category) => changes.map(([what, change], i) => ({ category, what, change, outcome: expected[category][i] })));

  it.each(rows)('given a $category AE, when an update gives $what, then $outcome', ({ category, change, outcome }) => {
    const report = reportOf(category);
    expect(codes(when([...course, report], [aeUpdated('2025-04-25', 'AE-G', change)]))).toEqual(outcome === 'accepted' ? 'accepted' : [outcome]);
  });

  it('names the AE, its category and the offending field, and reports each wrong field', () => {
    const update = aeUpdated('2025-04-25', 'AE-G', { gvhdGrade: 'SEVERE', systemicTherapy: true });
    const report = reportOf('ACUTE_GVHD');
    const violations = violationsOf(when([...course, report], [followUp('2025-04-24'), update]));
    expect(violations).toEqual([
      expect.objectContaining({ code: GRADE, eventIndex: 1, eventId: update.eventId, relatedEventId: report.eventId, field: 'data.gvhdGrade' }),
      expect.objectContaining({ code: THERAPY, eventIndex: 1, eventId: update.eventId, relatedEventId: report.eventId, field: 'data.systemicTherapy' }),
    ]);
    expect(violations[0].message).toMatch(/AE AE-G .*ACUTE_GVHD.*gvhdGrade.*SEVERE/);
    expect(violations[1].message).toMatch(/AE AE-G .*ACUTE_GVHD.*systemicTherapy/);
  });

  const acute = reportOf('ACUTE_GVHD', 'AE-A');
  const graded = aeUpdated('2025-04-25', 'AE-A', { gvhdGrade: 'III' });
  const infection = reportOf('INFECTION', 'AE-I');
  const asCategory = (report: typeof acute, category: AeCategory) =>
    corrected(report, { data: { ...reportOf(category, report.data.aeId).data, term: report.data.term } });
  const cases: Case[] = [
    ['a report and a mismatching update in one batch', course, [infection, aeUpdated('2025-04-25', 'AE-I', { gvhdGrade: 'II' })], [GRADE]],
    // The category in force is the report's as corrected (an update cannot change it).
    ['an update graded by the category its report was corrected to', [...course, infection], [asCategory(infection, 'ACUTE_GVHD'), aeUpdated('2025-04-25', 'AE-I', { gvhdGrade: 'III' })], 'accepted'],
    ['an update graded by the category its report was corrected away from', [...course, acute], [asCategory(acute, 'INFECTION'), aeUpdated('2025-04-25', 'AE-A', { gvhdGrade: 'III' })], [GRADE]],
    ['a category correction that leaves a graded update mismatching', [...course, acute, graded], [asCategory(acute, 'CHRONIC_GVHD')], [`CORRECTION_BREAKS_RULES: ${GRADE}`]],
    ['a category correction after its graded update is voided', [...course, acute, graded], [voided(graded), asCategory(acute, 'CHRONIC_GVHD')], 'accepted'],
    ['a correction of an update to a grade of the other scale', [...course, acute, graded], [corrected(graded, { data: { aeId: 'AE-A', gvhdGrade: 'MODERATE' } })], [`CORRECTION_BREAKS_RULES: ${GRADE}`]],
    ['a mismatching update already stored before the rule (not blamed on later events)',
      [...course, infection, aeUpdated('2025-04-25', 'AE-I', { gvhdGrade: 'IV' })], [followUp('2025-05-01')], 'accepted'],
  ];

  it.each(table(cases))('given $name, then $expected', ({ given, incoming, expected }) => {
    expect(codes(when(given, incoming))).toEqual(expected);
  });
});

describe('deviationsAddedBy: the deviations an exact repeat answers with', () => {
  // Each stored batch, with what was stored before it and what came after it.
  const enrollmentOnly = [enrollment];
  const cases: ReadonlyArray<[name: string, before: readonly ClinicalEvent[], batch: readonly ClinicalEvent[], after: readonly ClinicalEvent[]]> = [
    ['a GPBMC infusion without chemotherapy', enrollmentOnly, [gpbmcInfused('2025-03-10')], []],
    ['a batch with two deviations', enrollmentOnly, [gpbmcInfused('2025-03-10'), stemCellsInfused('2025-04-08')], []],
    ['a waived enrollment', [], [enrolled('2025-03-01', { ageYears: 14, eligibilityWaiver: { reason: 'sponsor approved' } })], []],
    ['an event without deviation', [enrollment, chemo], [gpbmcInfused('2025-03-10')], []],
    ['a deviation a later event made go away (chemotherapy entered late, dated before)', enrollmentOnly,
      [gpbmcInfused('2025-03-10')], [chemoStarted('2025-03-05')]],
    ['a deviation already standing before the batch is not the batch\'s', [enrollment, gpbmcInfused('2025-03-10')], [followUp('2025-03-20')], []],
  ];

  it.each(cases)('given %s, then a repeat answers what decide answered', (_name, before, batch, after) => {
    const decision = decide(asHistory(before), batch, TODAY);
    if (decision.kind !== 'accepted') throw new Error(`expected an accepted batch, got ${JSON.stringify(decision)}`);
    const stream = asHistory([...before, ...batch, ...after]);
    expect(deviationsAddedBy(stream, batch.map((e) => e.eventId))).toEqual(decision.deviations);
  });

  it('reports the deviations of a batch whose original answer had some, in the original order', () => {
    const late = [gpbmcInfused('2025-03-10'), stemCellsInfused('2025-04-08')];
    const stream = asHistory([enrollment, ...late, chemoStarted('2025-03-05'), conditioningStarted('2025-04-01')]);
    expect(deviationsAddedBy(stream, late.map((e) => e.eventId)).map((d) => [d.code, d.eventId])).toEqual([
      ['GPBMC_WITHOUT_CHEMOTHERAPY', late[0].eventId],
      ['DAY0_WITHOUT_CONDITIONING', late[1].eventId],
    ]);
  });

  it('answers no deviations for ids not in the stream', () => {
    expect(deviationsAddedBy(asHistory([enrollment]), [syntheticId(404, 0xd0)])).toEqual([]);
  });
});
