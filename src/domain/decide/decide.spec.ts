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
    ['a first batch whose enrollment comes second', [], [chemoStarted('2025-03-05'), enrolled('2025-03-01')], ['FIRST_EVENT_NOT_ENROLLMENT']],
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
    ['an update before its report in one batch', course, [aeUpdated('2025-05-03', 'AE-2'), aeReported('2025-05-01', { aeId: 'AE-2' })], ['AE_NOT_FOUND']],

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
    ['an AE voided before its updates in one batch: each event must hold in batch order', course, [voided(ae1), voided(ae1Worse)],
      ['CORRECTION_BREAKS_RULES: AE_NOT_FOUND']],
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
