import { addDays, daysBetween } from '../calendar/clinical-date';
import type { ClinicalDate, ClinicalEvent, ClinicalFact } from '../events/clinical-event';
import { effectiveHistory } from '../history/effective-history';
import {
  aeReported,
  aeUpdated,
  asHistory,
  chemoStarted,
  conditioningStarted,
  corrected,
  died,
  enrolled,
  engrafted,
  followUp,
  gpbmcInfused,
  relapsed,
  resetEventIds,
  stemCellsInfused,
  voided,
  withdrawn,
} from '../testing/journey.fixtures';
import type { PatientRecord } from './patient-record';
import { PHASES } from './patient-record';
import { project } from './project';

const SUBJECT = 'S-001';
const D0 = '2026-03-02';

/** The date `n` days from Day 0 (`n` may be negative). */
const day = (n: number, day0: ClinicalDate = D0): ClinicalDate => addDays(day0, n);

/** Enrollment, chemotherapy, GPBMC and conditioning before Day 0, then Day 0. */
function transplanted(day0: ClinicalDate = D0): ClinicalFact[] {
  return [
    enrolled(day(-45, day0)),
    chemoStarted(day(-40, day0)),
    gpbmcInfused(day(-30, day0)),
    conditioningStarted(day(-7, day0)),
    stemCellsInfused(day0),
  ];
}

/** Stores `events` in the given (arrival) order and projects the effective history. */
function recordOf(events: readonly ClinicalEvent[], asOf: ClinicalDate): PatientRecord {
  const record = project(SUBJECT, effectiveHistory(asHistory(events)), asOf, { revision: events.length - 1 });
  if (record === null) throw new Error(`no record as of ${asOf}`);
  return record;
}

beforeEach(() => resetEventIds());

describe('project: enrollment and as-of date', () => {
  it.each([
    ['the day before enrollment', '2026-01-15', false],
    ['the enrollment date', '2026-01-16', true],
    ['a year later', '2027-01-16', true],
  ])('given an enrollment on 2026-01-16, when projected as of %s, then a record exists: %s', (_name, asOf, exists) => {
    const effective = effectiveHistory(asHistory([enrolled('2026-01-16')]));

    const record = project(SUBJECT, effective, asOf, { revision: 0 });

    expect(record !== null).toBe(exists);
  });

  it('given no events at all, then there is no record', () => {
    expect(project(SUBJECT, [], '2026-01-01', { revision: -1 })).toBeNull();
  });

  it('given an enrollment, then the record carries the subject, revision and baseline data', () => {
    const record = recordOf([enrolled('2026-01-16', { sex: 'MALE', ageYears: 51, diagnosis: { type: 'ALL', riskGroup: 'ADVERSE', who: undefined } })], '2026-01-20');

    expect(record).toMatchObject({
      subjectId: SUBJECT,
      asOf: '2026-01-20',
      revision: 0,
      enrolledOn: '2026-01-16',
      sex: 'MALE',
      ageYears: 51,
      diagnosis: { type: 'ALL', status: 'RELAPSED', riskGroup: 'ADVERSE', who: null },
      phase: 'ENROLLED',
      day0: null,
      day100Window: { start: null, end: null, status: 'NOT_STARTED' },
      endpoints: null,
      milestoneVisits: [],
      lastKnownAlive: '2026-01-16',
    });
  });

  it('given the effective events out of clinical order, then the record is that of the ordered history', () => {
    const effective = effectiveHistory(asHistory([...transplanted(), aeReported(day(20), { aeId: 'AE-1' }), followUp(day(40))]));

    const shuffled = [...effective].reverse();

    expect(project(SUBJECT, shuffled, day(50), { revision: 6 })).toEqual(project(SUBJECT, effective, day(50), { revision: 6 }));
  });

  it('given events after the as-of date, then they are not seen', () => {
    const events = [...transplanted(), aeReported(day(5), { aeId: 'AE-1' }), died(day(20))];

    const record = recordOf(events, day(4));

    expect(record.timeline.map((e) => e.type)).not.toContain('AdverseEventReported');
    expect(record.adverseEvents).toEqual([]);
    expect(record.death).toBeNull();
    expect(record.phase).toBe('EARLY_POST_TRANSPLANT');
  });
});

describe('project: phases', () => {
  const base = (): ClinicalFact[] => transplanted();

  it.each<[string, (typeof PHASES)[number], () => ClinicalEvent[], ClinicalDate]>([
    ['enrolled only', 'ENROLLED', () => [enrolled(day(-45))], day(-41)],
    ['chemotherapy started', 'BRIDGING_CHEMOTHERAPY', base, day(-40)],
    ['GPBMC infused', 'BRIDGING_GPBMC', base, day(-30)],
    ['conditioning started', 'CONDITIONING', base, day(-7)],
    ['Day 0', 'EARLY_POST_TRANSPLANT', base, day(0)],
    ['Day +100', 'EARLY_POST_TRANSPLANT', base, day(100)],
    ['Day +101', 'LONG_TERM_FOLLOW_UP', base, day(101)],
    ['Day +730', 'LONG_TERM_FOLLOW_UP', base, day(730)],
    ['Day +731, alive', 'COMPLETED', base, day(731)],
    ['died on Day +50', 'OFF_STUDY', () => [...base(), died(day(50))], day(60)],
    ['withdrawn during bridging', 'OFF_STUDY', () => [enrolled(day(-45)), chemoStarted(day(-40)), withdrawn(day(-35))], day(-30)],
    ['died on Day +740, after completing', 'COMPLETED', () => [...base(), followUp(day(730)), died(day(740))], day(750)],
  ])('given %s, when projected, then the phase is %s', (_name, phase, events, asOf) => {
    expect(recordOf(events(), asOf).phase).toBe(phase);
  });

  it('covers every phase of the catalogue', () => {
    expect(PHASES).toEqual([
      'ENROLLED', 'BRIDGING_CHEMOTHERAPY', 'BRIDGING_GPBMC', 'CONDITIONING', 'EARLY_POST_TRANSPLANT', 'LONG_TERM_FOLLOW_UP', 'COMPLETED', 'OFF_STUDY',
    ]);
  });

  it('given a full journey to completion, then the phase history has entry and exit dates', () => {
    const events = transplanted();

    const record = recordOf(events, day(800));

    expect(record.phaseHistory).toEqual([
      { phase: 'ENROLLED', from: day(-45), to: day(-41), eventId: events[0].eventId },
      { phase: 'BRIDGING_CHEMOTHERAPY', from: day(-40), to: day(-31), eventId: events[1].eventId },
      { phase: 'BRIDGING_GPBMC', from: day(-30), to: day(-8), eventId: events[2].eventId },
      { phase: 'CONDITIONING', from: day(-7), to: day(-1), eventId: events[3].eventId },
      { phase: 'EARLY_POST_TRANSPLANT', from: day(0), to: day(100), eventId: events[4].eventId },
      { phase: 'LONG_TERM_FOLLOW_UP', from: day(101), to: day(730) },
      { phase: 'COMPLETED', from: day(731), to: null },
    ]);
    expect(record.offStudy).toBeNull();
  });

  it('given skipped chemotherapy and GPBMC, then those phases are skipped (and flagged)', () => {
    const events = [enrolled(day(-20)), conditioningStarted(day(-7)), stemCellsInfused(day(0))];

    const record = recordOf(events, day(10));

    expect(record.phaseHistory.map((s) => s.phase)).toEqual(['ENROLLED', 'CONDITIONING', 'EARLY_POST_TRANSPLANT']);
    expect(record.deviations.map((d) => d.code)).toEqual(['CONDITIONING_WITHOUT_GPBMC']);
  });

  it('given chemotherapy on the enrollment date, then ENROLLED is entered and left that day', () => {
    const events = [enrolled('2026-01-10'), chemoStarted('2026-01-10')];

    const record = recordOf(events, '2026-01-12');

    expect(record.phaseHistory).toEqual([
      expect.objectContaining({ phase: 'ENROLLED', from: '2026-01-10', to: '2026-01-10' }),
      expect.objectContaining({ phase: 'BRIDGING_CHEMOTHERAPY', from: '2026-01-10', to: null }),
    ]);
  });

  it('given a second chemotherapy cycle after the GPBMC infusion, then the phase does not go back', () => {
    const events = [enrolled(day(-45)), chemoStarted(day(-40)), gpbmcInfused(day(-30)), chemoStarted(day(-20), { cycle: 2 })];

    expect(recordOf(events, day(-15)).phaseHistory.map((s) => s.phase)).toEqual(['ENROLLED', 'BRIDGING_CHEMOTHERAPY', 'BRIDGING_GPBMC']);
  });

  it.each([
    ['death', () => died(day(50), { cause: 'INFECTION', treatmentRelated: true }), 'DIED:INFECTION', { reason: 'DIED', detail: 'INFECTION' }],
    ['withdrawal', () => withdrawn(day(50), 'LOST_TO_FOLLOW_UP'), 'WITHDRAWN:LOST_TO_FOLLOW_UP', { reason: 'WITHDRAWN', detail: 'LOST_TO_FOLLOW_UP' }],
  ])('given a %s on Day +50, then OFF_STUDY from that date with its reason', (_name, ending, spanReason, offStudy) => {
    const end = ending();

    const record = recordOf([...transplanted(), end], day(200));

    expect(record.phaseHistory.slice(-2)).toEqual([
      expect.objectContaining({ phase: 'EARLY_POST_TRANSPLANT', from: day(0), to: day(49) }),
      { phase: 'OFF_STUDY', from: day(50), to: null, eventId: end.eventId, reason: spanReason },
    ]);
    expect(record.offStudy).toEqual({ date: day(50), eventId: end.eventId, ...offStudy });
  });

  it('given a withdrawal then a death, then off study as withdrawn, and the death still recorded', () => {
    const death = died(day(300), { cause: 'RELAPSE' });

    const record = recordOf([...transplanted(), withdrawn(day(150)), followUp(day(200)), death], day(400));

    expect(record.offStudy).toMatchObject({ reason: 'WITHDRAWN', date: day(150) });
    expect(record.death).toEqual({ date: day(300), cause: 'RELAPSE', treatmentRelated: false, eventId: death.eventId });
    expect(record.endpoints?.OS).toMatchObject({ event: true, date: day(300), days: 300 });
  });

  it('given the timeline, then each event carries its Day number and the phase at the end of its date', () => {
    const events = [enrolled('2026-01-10'), chemoStarted('2026-01-10'), ...transplanted().slice(2), followUp(day(120))];

    const record = recordOf(events, day(130));

    expect(record.timeline.map((e) => [e.type, e.day, e.phase])).toEqual([
      ['PatientEnrolled', daysBetween(D0, '2026-01-10'), 'BRIDGING_CHEMOTHERAPY'],
      ['ChemotherapyStarted', daysBetween(D0, '2026-01-10'), 'BRIDGING_CHEMOTHERAPY'],
      ['GpbmcInfused', -30, 'BRIDGING_GPBMC'],
      ['ConditioningStarted', -7, 'CONDITIONING'],
      ['StemCellsInfused', 0, 'EARLY_POST_TRANSPLANT'],
      ['FollowUpRecorded', 120, 'LONG_TERM_FOLLOW_UP'],
    ]);
  });
});

describe('project: Day 0, the day-100 window and calendar arithmetic', () => {
  it.each([
    ['Day 0 on 2028-02-28 (leap year)', '2028-02-28', '2028-02-29', '2028-06-07', '2028-06-08', '2030-02-28'],
    ['Day 0 on 2026-01-31 (month end)', '2026-01-31', '2026-02-01', '2026-05-11', '2026-05-12', '2028-02-01'],
    ['Day 0 on 2027-12-31 (year end)', '2027-12-31', '2028-01-01', '2028-04-09', '2028-04-10', '2029-12-31'],
  ])('given %s, then Day +1, the window end, LTFU and completion fall on exact calendar dates', (_name, day0, plus1, plus100, plus101, plus731) => {
    const events = [...transplanted(day0), followUp(plus1)];

    const record = recordOf(events, plus731);

    expect([plus1, plus100, plus101, plus731]).toEqual([addDays(day0, 1), addDays(day0, 100), addDays(day0, 101), addDays(day0, 731)]);
    expect(record.timeline.find((e) => e.type === 'FollowUpRecorded')?.day).toBe(1);
    expect(record.day100Window).toEqual({ start: day0, end: plus100, status: 'CLOSED' });
    expect(record.phaseHistory.slice(-3).map((s) => [s.phase, s.from, s.to])).toEqual([
      ['EARLY_POST_TRANSPLANT', day0, plus100],
      ['LONG_TERM_FOLLOW_UP', plus101, addDays(day0, 730)],
      ['COMPLETED', plus731, null],
    ]);
  });

  it.each([
    [100, 'DAY100_WINDOW', 'EVENT'],
    [101, 'LATER', 'NO_EVENT'],
    [0, 'DAY100_WINDOW', 'EVENT'],
    [-1, 'CONDITIONING', 'NO_EVENT'],
  ] as const)('given Day 0 on 2028-02-28 and a related AE on Day %d, then it falls in %s and the primary endpoint is %s', (onsetDay, period, status) => {
    const day0 = '2028-02-28';
    const events = [...transplanted(day0), aeReported(addDays(day0, onsetDay), { aeId: 'AE-1', attribution: 'PROBABLE' }), followUp(addDays(day0, 100))];

    const record = recordOf(events, addDays(day0, 101));

    expect(record.adverseEvents[0]).toMatchObject({ dayRelative: onsetDay, phaseAtOnset: period, treatmentRelated: true });
    expect(record.primaryEndpoint.status).toBe(status);
  });

  it.each([
    ['no Day 0', { start: null, end: null, status: 'NOT_STARTED' }, () => [enrolled(day(-45))], day(10)],
    ['Day 0, as of Day 0', { start: day(0), end: day(100), status: 'OPEN' }, () => transplanted(), day(0)],
    ['Day 0, as of Day +100', { start: day(0), end: day(100), status: 'OPEN' }, () => transplanted(), day(100)],
    ['Day 0, as of Day +101', { start: day(0), end: day(100), status: 'CLOSED' }, () => transplanted(), day(101)],
  ])('given %s, then the day-100 window is %j', (_name, window, events, asOf) => {
    expect(recordOf(events(), asOf).day100Window).toEqual(window);
  });

  it('given Day 0 corrected to an earlier date after AEs were recorded, then AEs move relative to it', () => {
    const stream = transplanted();
    const day0Event = stream[4];
    const ae = aeReported(day(95), { aeId: 'AE-1', attribution: 'DEFINITE' });
    const followUpEvent = followUp(day(120));
    const correction = corrected(day0Event, { occurredOn: day(-10) });
    const before = [...stream, ae, followUpEvent];

    const asRecorded = recordOf(before, day(130));
    const asCorrected = recordOf([...before, correction], day(130));

    expect(asRecorded).toMatchObject({ day0: D0, primaryEndpoint: { status: 'EVENT', eventDate: day(95) } });
    expect(asRecorded.adverseEvents[0]).toMatchObject({ dayRelative: 95, phaseAtOnset: 'DAY100_WINDOW' });
    expect(asCorrected).toMatchObject({
      day0: day(-10),
      day100Window: { start: day(-10), end: day(90), status: 'CLOSED' },
      primaryEndpoint: { status: 'NO_EVENT', eventDate: null, byCategory: [] },
    });
    expect(asCorrected.adverseEvents[0]).toMatchObject({ dayRelative: 105, phaseAtOnset: 'LATER' });
    expect(asCorrected.timeline.find((e) => e.eventId === day0Event.eventId)).toMatchObject({ day: 0, correctedBy: [correction.eventId] });
    expect(asCorrected.timeline.find((e) => e.eventId === followUpEvent.eventId)?.day).toBe(130);
  });

  it.each([
    ['no Day 0', { neutrophil: null, platelet: null }, () => [enrolled(day(-45))]],
    ['both lineages', { neutrophil: day(16), platelet: day(24) }, () => [...transplanted(), engrafted(day(16), 'NEUTROPHIL'), engrafted(day(24), 'PLATELET')]],
    ['a recovery recorded before Day 0', { neutrophil: day(18), platelet: null }, () => [...transplanted(), engrafted(day(-3), 'NEUTROPHIL'), engrafted(day(18), 'NEUTROPHIL')]],
  ])('given %s, then engraftment is %j', (_name, engraftment, events) => {
    expect(recordOf(events(), day(60)).engraftment).toEqual(engraftment);
  });

  /** The treatment steps with a Day 0 of the given graft source. */
  const graftOf = (graftSource: 'PBSC' | 'GPBMC' | 'BM' | 'CORD'): ClinicalFact[] => [...transplanted().slice(0, -1), stemCellsInfused(D0, { graftSource })];

  // docs/clinical-rules.md section 1: no neutrophil engraftment by Day +30 for a peripheral blood graft.
  it.each<[string, () => ClinicalEvent[], number, string | null]>([
    ['PBSC, neutrophils on Day +20', () => [...graftOf('PBSC'), engrafted(day(20))], 40, 'ENGRAFTED'],
    ['PBSC, neutrophils on Day +30', () => [...graftOf('PBSC'), engrafted(day(30))], 40, 'ENGRAFTED'],
    ['PBSC, neutrophils on Day +31', () => [...graftOf('PBSC'), engrafted(day(31))], 40, 'GRAFT_FAILURE'],
    ['PBSC, none yet, as of Day +30', () => graftOf('PBSC'), 30, 'PENDING'],
    ['PBSC, none, a contact on Day +31', () => [...graftOf('PBSC'), followUp(day(31))], 31, 'GRAFT_FAILURE'],
    // The calendar alone proves nothing, as for NO_EVENT: an engraftment on Day +30 may be recorded days later.
    ['PBSC, none, a contact on Day +30, as of Day +40', () => [...graftOf('PBSC'), followUp(day(30))], 40, 'PENDING'],
    ['PBSC, none, no news since Day 0, as of Day +60', () => graftOf('PBSC'), 60, 'PENDING'],
    ['PBSC, neutrophils on Day +25, as of Day +24', () => [...graftOf('PBSC'), engrafted(day(25))], 24, 'PENDING'],
    // A platelet engraftment alone is missing data, never graft failure (a data query asks for the neutrophils).
    ['PBSC, platelets only, on Day +35', () => [...graftOf('PBSC'), engrafted(day(35), 'PLATELET')], 40, 'PENDING'],
    ['PBSC, platelets only on Day +35, then a contact on Day +45', () => [...graftOf('PBSC'), engrafted(day(35), 'PLATELET'), followUp(day(45))], 50, 'PENDING'],
    ['PBSC, a contact on Day +45, platelets recorded only as of Day +60', () => [...graftOf('PBSC'), followUp(day(45)), engrafted(day(60), 'PLATELET')], 50, 'GRAFT_FAILURE'],
    ['PBSC, neutrophils on Day +40 after platelets on Day +35 (late engraftment)', () => [...graftOf('PBSC'), engrafted(day(35), 'PLATELET'), engrafted(day(40))], 50, 'GRAFT_FAILURE'],
    ['GPBMC (peripheral blood too), none, a contact on Day +31', () => [...graftOf('GPBMC'), followUp(day(31))], 31, 'GRAFT_FAILURE'],
    ['PBSC, death on Day +20 without engraftment', () => [...graftOf('PBSC'), died(day(20), { cause: 'INFECTION' })], 40, 'NOT_EVALUABLE'],
    ['PBSC, withdrawal on Day +30 without engraftment', () => [...graftOf('PBSC'), withdrawn(day(30))], 40, 'NOT_EVALUABLE'],
    ['PBSC, none, lost to follow-up on Day +40 with no news since Day 0', () => [...graftOf('PBSC'), withdrawn(day(40), 'LOST_TO_FOLLOW_UP')], 60, 'NOT_EVALUABLE'],
    // A withdrawal is not a contact, whatever its reason.
    ['PBSC, none, consent withdrawn on Day +40', () => [...graftOf('PBSC'), withdrawn(day(40), 'CONSENT_WITHDRAWN')], 60, 'NOT_EVALUABLE'],
    ['PBSC, none, consent withdrawn on Day +40 after a contact on Day +31', () => [...graftOf('PBSC'), followUp(day(31)), withdrawn(day(40), 'CONSENT_WITHDRAWN')], 60, 'GRAFT_FAILURE'],
    ['PBSC, none, withdrawn on Day +20, a survival contact on Day +40', () => [...graftOf('PBSC'), withdrawn(day(20)), followUp(day(40))], 60, 'NOT_EVALUABLE'],
    ['PBSC, death on Day +35 without engraftment', () => [...graftOf('PBSC'), died(day(35), { cause: 'INFECTION' })], 40, 'GRAFT_FAILURE'],
    ['bone marrow, none (not defined for it)', () => graftOf('BM'), 60, null],
    ['cord blood, none (not defined for it)', () => graftOf('CORD'), 60, null],
    ['no Day 0', () => [enrolled(day(-45)), chemoStarted(day(-40))], 60, null],
  ])('given %s, as of Day +%d, then graft failure is %s', (_name, events, asOfDay, expected) => {
    expect(recordOf(events(), day(asOfDay)).graftFailure).toBe(expected);
  });
});

describe('project: adverse events and treatment relatedness', () => {
  it.each([
    ['INFECTION', 'UNRELATED', false],
    ['INFECTION', 'UNLIKELY', false],
    ['INFECTION', 'POSSIBLE', true],
    ['ORGAN_DYSFUNCTION', 'PROBABLE', true],
    ['OTHER', 'DEFINITE', true],
    ['ACUTE_GVHD', 'UNRELATED', true],
    ['CHRONIC_GVHD', 'UNRELATED', true],
    ['ACUTE_GVHD', 'UNLIKELY', true],
  ] as const)('given a %s AE on Day +20 attributed %s, then treatment-related is %s', (category, attribution, related) => {
    const events = [...transplanted(), aeReported(day(20), { aeId: 'AE-1', category, attribution, gvhdGrade: category === 'ACUTE_GVHD' ? 'II' : undefined }), followUp(day(100))];

    const record = recordOf(events, day(110));

    expect(record.adverseEvents[0].treatmentRelated).toBe(related);
    expect(record.primaryEndpoint.status).toBe(related ? 'EVENT' : 'NO_EVENT');
  });

  it('given an AE before Day 0, then it is in the bridging profile and not in the primary endpoint', () => {
    const events = [...transplanted(), aeReported(day(-25), { aeId: 'AE-B', attribution: 'DEFINITE', suspectedCause: 'GPBMC', term: 'Infusion reaction', category: 'OTHER' })];

    const record = recordOf(events, day(40));

    expect(record.bridgingAdverseEvents).toEqual([expect.objectContaining({ aeId: 'AE-B', dayRelative: -25, phaseAtOnset: 'BRIDGING', treatmentRelated: true, suspectedCause: 'GPBMC' })]);
    expect(record.adverseEvents).toHaveLength(1);
    expect(record.primaryEndpoint).toEqual({ status: 'OPEN', eventDate: null, byCategory: [] });
  });

  it('given an AE and no Day 0 yet, then it is a bridging AE with no Day number', () => {
    const record = recordOf([enrolled('2026-01-10'), chemoStarted('2026-01-12'), aeReported('2026-01-20', { aeId: 'AE-1' })], '2026-01-25');

    expect(record.bridgingAdverseEvents).toEqual([expect.objectContaining({ aeId: 'AE-1', dayRelative: null, phaseAtOnset: 'BRIDGING' })]);
  });

  it('given updates, then current and worst grades, resolution and the list of changes are kept', () => {
    const report = aeReported(day(10), { aeId: 'AE-1', category: 'ACUTE_GVHD', gvhdGrade: 'II', ctcaeGrade: 2, attribution: 'UNLIKELY' });
    const worse = aeUpdated(day(14), 'AE-1', { ctcaeGrade: 4, gvhdGrade: 'III' });
    const better = aeUpdated(day(30), 'AE-1', { ctcaeGrade: 1, gvhdGrade: 'I', resolvedOn: day(30) });

    const record = recordOf([...transplanted(), report, worse, better], day(40));

    expect(record.adverseEvents[0]).toMatchObject({
      eventId: report.eventId,
      ctcaeGrade: 1,
      worstCtcaeGrade: 4,
      gvhdGrade: 'I',
      worstGvhdGrade: 'III',
      resolvedOn: day(30),
      severeAcuteGvhdOn: day(14),
      changes: [
        { date: day(14), eventId: worse.eventId, ctcaeGrade: 4, gvhdGrade: 'III' },
        { date: day(30), eventId: better.eventId, ctcaeGrade: 1, gvhdGrade: 'I', resolvedOn: day(30) },
      ],
    });
    expect(record.primaryEndpoint.byCategory).toEqual([{ category: 'ACUTE_GVHD', count: 1, worstGrade: 4, aeIds: ['AE-1'] }]);
  });

  it.each([
    ['stored after its report', false],
    ['stored before its same-day report', true],
  ])('given a same-day update %s and a later update, then updates apply in clinical order', (_name, updateFirst) => {
    const report = aeReported(day(10), { aeId: 'AE-1', ctcaeGrade: 2 });
    const sameDay = aeUpdated(day(10), 'AE-1', { ctcaeGrade: 3 });
    const laterUpdate = aeUpdated(day(20), 'AE-1', { ctcaeGrade: 1 });
    const arrival = updateFirst ? [sameDay, report, laterUpdate] : [report, sameDay, laterUpdate];

    const record = recordOf([...transplanted(), ...arrival], day(30));

    expect(record.adverseEvents[0]).toMatchObject({ ctcaeGrade: 1, worstCtcaeGrade: 3 });
    expect(record.adverseEvents[0].changes.map((c) => c.eventId)).toEqual([sameDay.eventId, laterUpdate.eventId]);
  });

  it('given updates of two AEs stored before their same-day reports, then each applies to its own AE', () => {
    const arrival = [
      aeUpdated(day(10), 'AE-1', { ctcaeGrade: 4 }),
      aeUpdated(day(10), 'AE-2', { ctcaeGrade: 3 }),
      aeReported(day(10), { aeId: 'AE-1', ctcaeGrade: 1 }),
      aeReported(day(10), { aeId: 'AE-2', ctcaeGrade: 1 }),
    ];

    const record = recordOf([...transplanted(), ...arrival], day(30));

    expect(record.adverseEvents.map((a) => [a.aeId, a.ctcaeGrade])).toEqual([['AE-1', 4], ['AE-2', 3]]);
  });

  it('given an update of an AE that was voided, then it is ignored', () => {
    const report = aeReported(day(10), { aeId: 'AE-1', category: 'ACUTE_GVHD', gvhdGrade: 'II' });

    const record = recordOf([...transplanted(), report, aeUpdated(day(12), 'AE-1', { gvhdGrade: 'IV' }), voided(report)], day(30));

    expect(record.adverseEvents).toEqual([]);
    expect(record.endpoints?.GRFS.event).toBe(false);
  });

  it('given an attribution raised to PROBABLE after the window, then the AE counts (at its onset) only as of the re-assessment', () => {
    const events = [
      ...transplanted(),
      aeReported(day(30), { aeId: 'AE-1', category: 'INFECTION', attribution: 'UNLIKELY' }),
      followUp(day(100)),
      aeUpdated(day(130), 'AE-1', { attribution: 'PROBABLE' }),
    ];

    const before = recordOf(events, day(129));
    const after = recordOf(events, day(130));

    expect(before.primaryEndpoint.status).toBe('NO_EVENT');
    expect(before.adverseEvents[0]).toMatchObject({ attribution: 'UNLIKELY', treatmentRelated: false });
    expect(after.primaryEndpoint).toMatchObject({ status: 'EVENT', eventDate: day(30) });
    expect(after.adverseEvents[0]).toMatchObject({ attribution: 'PROBABLE', treatmentRelated: true });
  });

  it('given the only related AE voided, then the primary endpoint has no event again', () => {
    const ae = aeReported(day(20), { aeId: 'AE-1', attribution: 'PROBABLE' });
    const unrelated = aeReported(day(25), { aeId: 'AE-2', attribution: 'UNRELATED' });
    const stream = [...transplanted(), ae, unrelated, followUp(day(100))];

    const withAe = recordOf(stream, day(120));
    const afterVoid = recordOf([...stream, voided(ae)], day(120));

    expect(withAe.primaryEndpoint.status).toBe('EVENT');
    expect(afterVoid.primaryEndpoint).toEqual({ status: 'NO_EVENT', eventDate: null, byCategory: [] });
    expect(afterVoid.adverseEvents.map((a) => a.aeId)).toEqual(['AE-2']);
  });

  it('given an AE entered long after the window closed with onset inside it, then the endpoint turns to EVENT once it is recorded', () => {
    const stream = [...transplanted(), followUp(day(30)), followUp(day(100)), followUp(day(182))];
    const lateEntry = aeReported(day(40), { aeId: 'AE-9', category: 'ORGAN_DYSFUNCTION', attribution: 'POSSIBLE', ctcaeGrade: 3 });

    const known = recordOf(stream, day(250));
    const afterEntry = recordOf([...stream, lateEntry], day(250));

    expect(known.primaryEndpoint.status).toBe('NO_EVENT');
    expect(afterEntry.primaryEndpoint).toEqual({
      status: 'EVENT',
      eventDate: day(40),
      byCategory: [{ category: 'ORGAN_DYSFUNCTION', count: 1, worstGrade: 3, aeIds: ['AE-9'] }],
    });
    // Clinical order, not arrival: the AE sits between the Day +30 and Day +100 contacts.
    expect(afterEntry.timeline.map((e) => e.day)).toEqual([-45, -40, -30, -7, 0, 30, 40, 100, 182]);
  });

  it('given several related AEs in the window, then counts and worst grade by category in catalogue order', () => {
    const events = [
      ...transplanted(),
      aeReported(day(12), { aeId: 'AE-1', category: 'INFECTION', ctcaeGrade: 2, attribution: 'POSSIBLE' }),
      aeReported(day(8), { aeId: 'AE-2', category: 'ACUTE_GVHD', gvhdGrade: 'I', ctcaeGrade: 1, attribution: 'UNRELATED' }),
      aeReported(day(30), { aeId: 'AE-3', category: 'INFECTION', ctcaeGrade: 3, attribution: 'DEFINITE' }),
      aeReported(day(31), { aeId: 'AE-4', category: 'INFECTION', ctcaeGrade: 4, attribution: 'UNRELATED' }),
    ];

    const record = recordOf(events, day(50));

    expect(record.primaryEndpoint).toEqual({
      status: 'EVENT',
      eventDate: day(8),
      byCategory: [
        { category: 'ACUTE_GVHD', count: 1, worstGrade: 1, aeIds: ['AE-2'] },
        { category: 'INFECTION', count: 2, worstGrade: 3, aeIds: ['AE-1', 'AE-3'] },
      ],
    });
    expect(record.adverseEvents.map((a) => a.aeId)).toEqual(['AE-2', 'AE-1', 'AE-3', 'AE-4']);
  });
});

describe('project: primary endpoint', () => {
  it.each<[string, object, () => ClinicalEvent[], ClinicalDate]>([
    ['still before transplant', { status: 'NOT_APPLICABLE', reason: 'BEFORE_TRANSPLANT' }, () => [enrolled(day(-45)), chemoStarted(day(-40))], day(-20)],
    ['died before transplant', { status: 'NOT_APPLICABLE', reason: 'DIED_BEFORE_TRANSPLANT' }, () => [enrolled(day(-45)), chemoStarted(day(-40)), died(day(-20))], day(10)],
    ['withdrawn before transplant', { status: 'NOT_APPLICABLE', reason: 'WITHDRAWN_BEFORE_TRANSPLANT' }, () => [enrolled(day(-45)), withdrawn(day(-20))], day(10)],
    ['a related AE in the window, window still open', { status: 'EVENT', eventDate: day(3) }, () => [...transplanted(), aeReported(day(3), { attribution: 'POSSIBLE' })], day(10)],
    ['a related AE, then death in the window', { status: 'EVENT' }, () => [...transplanted(), aeReported(day(3), { attribution: 'POSSIBLE' }), died(day(9))], day(10)],
    ['Day 0 recorded, window open, no event', { status: 'OPEN', eventDate: null }, () => transplanted(), day(100)],
    ['window over, no event', { status: 'NO_EVENT', eventDate: null }, () => [...transplanted(), followUp(day(100))], day(101)],
    // docs/clinical-rules.md section 6: NO_EVENT needs the patient observed through Day +100; the calendar alone is not enough.
    ['window over, last contact on Day +99', { status: 'OPEN', reason: 'NOT_OBSERVED_THROUGH_DAY_100', eventDate: null }, () => [...transplanted(), followUp(day(99))], day(101)],
    ['window over, nothing since Day 0, a year on', { status: 'OPEN', reason: 'NOT_OBSERVED_THROUGH_DAY_100' }, () => transplanted(), day(365)],
    ['window over, an unrelated AE on Day +60 the last news', { status: 'OPEN', reason: 'NOT_OBSERVED_THROUGH_DAY_100' }, () => [...transplanted(), aeReported(day(60), { attribution: 'UNRELATED' })], day(200)],
    ['window over, first news after it a contact on Day +150', { status: 'NO_EVENT' }, () => [...transplanted(), followUp(day(150))], day(200)],
    ['window over, a death on Day +120 the first news after Day 0', { status: 'NO_EVENT' }, () => [...transplanted(), died(day(120), { cause: 'INFECTION' })], day(130)],
    // A withdrawal as lost to follow-up says nobody could reach the patient: it is not news of them.
    ['seen on Day +40, then lost to follow-up on Day +101', { status: 'INCOMPLETE', reason: 'WITHDRAWN' }, () => [...transplanted(), followUp(day(40)), withdrawn(day(101), 'LOST_TO_FOLLOW_UP')], day(120)],
    ['seen on Day +100, then lost to follow-up on Day +150', { status: 'NO_EVENT' }, () => [...transplanted(), followUp(day(100)), withdrawn(day(150), 'LOST_TO_FOLLOW_UP')], day(160)],
    // No withdrawal is a contact, whatever its reason: the window was not observed.
    ['seen on Day +40, then consent withdrawn on Day +101', { status: 'INCOMPLETE', reason: 'WITHDRAWN' }, () => [...transplanted(), followUp(day(40)), withdrawn(day(101), 'CONSENT_WITHDRAWN')], day(120)],
    ['seen on Day +100, then consent withdrawn on Day +100', { status: 'INCOMPLETE', reason: 'WITHDRAWN' }, () => [...transplanted(), followUp(day(100)), withdrawn(day(100))], day(120)],
    ['seen on Day +100, then consent withdrawn on Day +101', { status: 'NO_EVENT' }, () => [...transplanted(), followUp(day(100)), withdrawn(day(101))], day(120)],
    // AE assessment stops at withdrawal: a survival contact after it does not show the window observed.
    ['withdrawn on Day +101 after a contact on Day +40, a survival contact on Day +300', { status: 'INCOMPLETE', reason: 'WITHDRAWN' }, () => [...transplanted(), followUp(day(40)), withdrawn(day(101)), followUp(day(300))], day(320)],
    ['death on Day +50 without an event', { status: 'INCOMPLETE', reason: 'DIED' }, () => [...transplanted(), died(day(50), { cause: 'INFECTION' })], day(60)],
    ['withdrawal on Day +50 without an event', { status: 'INCOMPLETE', reason: 'WITHDRAWN' }, () => [...transplanted(), withdrawn(day(50))], day(200)],
    ['death on Day 0', { status: 'INCOMPLETE', reason: 'DIED' }, () => [...transplanted(), died(day(0))], day(0)],
    ['withdrawal on Day +100', { status: 'INCOMPLETE', reason: 'WITHDRAWN' }, () => [...transplanted(), withdrawn(day(100))], day(101)],
    ['withdrawal on Day +101, nothing since Day 0', { status: 'INCOMPLETE', reason: 'WITHDRAWN' }, () => [...transplanted(), withdrawn(day(101))], day(120)],
  ])('given %s, then the primary endpoint is %j', (_name, expected, events, asOf) => {
    expect(recordOf(events(), asOf).primaryEndpoint).toMatchObject(expected);
  });

  it('given a withdrawal before a Day 0 recorded afterwards, then the endpoint is not applicable and the patient stays off study', () => {
    const events = [enrolled(day(-45)), chemoStarted(day(-40)), withdrawn(day(-20)), stemCellsInfused(day(0))];

    const record = recordOf(events, day(30));

    expect(record.primaryEndpoint).toEqual({ status: 'NOT_APPLICABLE', reason: 'WITHDRAWN_BEFORE_TRANSPLANT', eventDate: null, byCategory: [] });
    expect(record).toMatchObject({ phase: 'OFF_STUDY', day0: day(0) });
  });

  it.each([
    // [what, update day, grade it goes to, as of, worst grade of the window's row, worst grade of the AE]
    ['worsening on Day +100 counts in the window', 100, 4, 120, 4, 4],
    ['worsening on Day +101 is after the window', 101, 4, 120, 1, 4],
    ['worsening on Day +150, as of Day +200', 150, 4, 200, 1, 4],
    ['worsening on Day +95, not yet visible as of Day +94', 95, 3, 94, 1, 1],
    ['an update dated before the onset counts from the onset', 80, 2, 120, 2, 2],
    ['an improvement keeps the reported grade as the worst', 95, 0, 120, 1, 1],
  ] as const)('given a related AE reported on Day +90 at grade 1: %s', (_what, updateDay, grade, asOfDay, windowWorst, aeWorst) => {
    const events = [
      ...transplanted(),
      aeReported(day(90), { aeId: 'AE-1', category: 'INFECTION', ctcaeGrade: 1, attribution: 'PROBABLE' }),
      followUp(day(100)),
      ...(grade === 0 ? [aeUpdated(day(updateDay), 'AE-1', { resolvedOn: day(updateDay) })] : [aeUpdated(day(updateDay), 'AE-1', { ctcaeGrade: grade })]),
    ];

    const record = recordOf(events, day(asOfDay));

    // docs/clinical-rules.md section 3: a worsening grade counts from the date of the change.
    expect(record.primaryEndpoint.byCategory).toEqual([{ category: 'INFECTION', count: 1, worstGrade: windowWorst, aeIds: ['AE-1'] }]);
    expect(record.adverseEvents[0]).toMatchObject({ worstCtcaeGrade: aeWorst, worstCtcaeGradeByDay100: windowWorst });
  });

  it('given a death on Day +50 without an event, then OS is an event on Day +50', () => {
    const record = recordOf([...transplanted(), died(day(50), { cause: 'INFECTION', treatmentRelated: true })], day(60));

    expect(record.endpoints?.OS).toEqual({ event: true, date: day(50), days: 50, eventType: 'DEATH', milestones: { '365': 'EVENT', '730': 'EVENT' } });
    expect(record.relapseVsNrm).toMatchObject({ event: 'NRM', date: day(50), daysFromDay0: 50, daysFromEnrollment: 95, fromDay0: { event: 'NRM', days: 50 } });
  });
});

describe('project: time-to-event endpoints', () => {
  it('given no event, then every endpoint is censored at the last date known alive', () => {
    const record = recordOf([...transplanted(), followUp(day(30)), aeReported(day(44), { attribution: 'UNRELATED' })], day(60));

    expect(record.lastKnownAlive).toBe(day(44));
    for (const outcome of Object.values(record.endpoints ?? {})) {
      expect(outcome).toEqual({ event: false, date: day(44), days: 44, milestones: { '365': 'PENDING', '730': 'PENDING' } });
    }
    expect(record.endpointsFromEnrollment.OS).toMatchObject({ event: false, date: day(44), days: 89 });
    expect(record.relapseVsNrm).toEqual({ event: null, date: day(44), daysFromDay0: 44, daysFromEnrollment: 89, fromDay0: { event: null, date: day(44), days: 44 } });
  });

  it('given a relapse on Day +200 and death on Day +300, then PFS and GRFS end at relapse, OS at death', () => {
    const record = recordOf([...transplanted(), relapsed(day(200), 'MOLECULAR'), died(day(300))], day(400));

    expect(record.endpoints).toMatchObject({
      OS: { event: true, date: day(300), days: 300, eventType: 'DEATH' },
      PFS: { event: true, date: day(200), days: 200, eventType: 'RELAPSE' },
      GRFS: { event: true, date: day(200), eventType: 'RELAPSE' },
    });
    expect(record.relapsed).toBe(true);
    expect(record.relapse).toMatchObject({ date: day(200), kind: 'MOLECULAR' });
    expect(record.relapseVsNrm).toMatchObject({ event: 'RELAPSE', date: day(200), daysFromDay0: 200 });
  });

  it.each<[string, () => ClinicalEvent[], object]>([
    ['a death from relapse with no relapse recorded', () => [...transplanted(), died(day(150), { cause: 'RELAPSE' })], { event: 'RELAPSE', date: day(150), daysFromDay0: 150, fromDay0: { event: 'RELAPSE', date: day(150), days: 150 } }],
    ['a death from relapse after a recorded relapse', () => [...transplanted(), relapsed(day(90)), died(day(150), { cause: 'RELAPSE' })], { event: 'RELAPSE', date: day(90), fromDay0: { event: 'RELAPSE', date: day(90) } }],
    ['a death from infection with no relapse', () => [...transplanted(), died(day(150), { cause: 'INFECTION' })], { event: 'NRM', date: day(150), fromDay0: { event: 'NRM', date: day(150) } }],
    [
      'a relapse before Day 0, then a death from relapse after it',
      () => [...transplanted(), relapsed(day(-10)), died(day(150), { cause: 'RELAPSE' })],
      { event: 'RELAPSE', date: day(-10), fromDay0: { event: 'RELAPSE', date: day(150), days: 150 } },
    ],
  ])('given %s, then relapse versus non-relapse mortality is %j', (_what, events, expected) => {
    // Non-relapse mortality is death in continuous remission; a death the form puts down to relapse is not.
    const record = recordOf(events(), day(200));

    expect(record.relapseVsNrm).toMatchObject(expected);
    expect(record.endpoints?.OS).toMatchObject({ event: true, date: day(150) });
  });

  it('given a relapse before Day 0, then it is shown and counts from enrollment, but not as a post-transplant relapse', () => {
    const record = recordOf([...transplanted(), relapsed(day(-10), 'PROGRESSION'), followUp(day(60))], day(70));

    expect(record.phase).toBe('EARLY_POST_TRANSPLANT');
    expect(record.relapse).toMatchObject({ date: day(-10), kind: 'PROGRESSION' });
    expect(record.endpointsFromEnrollment.PFS).toMatchObject({ event: true, date: day(-10), days: 35, eventType: 'RELAPSE' });
    expect(record.endpoints?.PFS).toMatchObject({ event: false, date: day(60), days: 60 });
    expect(record.relapseVsNrm).toMatchObject({ event: 'RELAPSE', date: day(-10), daysFromDay0: -10, daysFromEnrollment: 35, fromDay0: { event: null, date: day(60), days: 60 } });
  });

  it('given acute GVHD worsening from grade II to III by an update, then GRFS ends on the date of the change, not the onset', () => {
    const events = [
      ...transplanted(),
      aeReported(day(20), { aeId: 'AE-G', category: 'ACUTE_GVHD', gvhdGrade: 'II', ctcaeGrade: 2, attribution: 'PROBABLE' }),
      aeUpdated(day(34), 'AE-G', { gvhdGrade: 'III', ctcaeGrade: 3 }),
      followUp(day(60)),
    ];

    expect(recordOf(events, day(33)).endpoints?.GRFS).toMatchObject({ event: false, date: day(20) });
    expect(recordOf(events, day(70)).endpoints?.GRFS).toEqual({
      event: true, date: day(34), days: 34, eventType: 'ACUTE_GVHD_III_IV', milestones: { '365': 'EVENT', '730': 'EVENT' },
    });
    expect(recordOf(events, day(70)).endpoints?.PFS.event).toBe(false);
  });

  it.each([
    ['acute GVHD reported at grade IV', () => aeReported(day(25), { category: 'ACUTE_GVHD', gvhdGrade: 'IV' }), day(25), 'ACUTE_GVHD_III_IV'],
    ['chronic GVHD reported with systemic therapy', () => aeReported(day(150), { category: 'CHRONIC_GVHD', gvhdGrade: 'MODERATE', systemicTherapy: true }), day(150), 'CHRONIC_GVHD_SYSTEMIC'],
  ])('given %s, then GRFS ends at onset', (_name, ae, date, eventType) => {
    expect(recordOf([...transplanted(), ae()], day(200)).endpoints?.GRFS).toMatchObject({ event: true, date, eventType });
  });

  it('given chronic GVHD that needs systemic therapy from a later update, then GRFS ends on that update date', () => {
    const events = [
      ...transplanted(),
      aeReported(day(150), { aeId: 'AE-C', category: 'CHRONIC_GVHD', gvhdGrade: 'MILD', systemicTherapy: false }),
      aeUpdated(day(190), 'AE-C', { gvhdGrade: 'MODERATE', systemicTherapy: true }),
    ];

    const record = recordOf(events, day(200));

    expect(record.endpoints?.GRFS).toMatchObject({ event: true, date: day(190), days: 190, eventType: 'CHRONIC_GVHD_SYSTEMIC' });
    expect(record.adverseEvents[0]).toMatchObject({ systemicTherapy: true, systemicTherapyOn: day(190), worstGvhdGrade: 'MODERATE' });
  });

  it('given grade II acute GVHD and chronic GVHD without systemic therapy, then GRFS has no event', () => {
    const events = [
      ...transplanted(),
      aeReported(day(20), { aeId: 'AE-A', category: 'ACUTE_GVHD', gvhdGrade: 'II' }),
      aeReported(day(150), { aeId: 'AE-C', category: 'CHRONIC_GVHD', gvhdGrade: 'SEVERE', systemicTherapy: false }),
    ];

    expect(recordOf(events, day(200)).endpoints?.GRFS.event).toBe(false);
  });

  it.each<[string, 'OS' | 'PFS', string, string, () => ClinicalEvent[], ClinicalDate]>([
    ['death on Day +200', 'OS', 'EVENT', 'EVENT', () => [...transplanted(), died(day(200))], day(210)],
    ['death on Day +365 exactly', 'OS', 'EVENT', 'EVENT', () => [...transplanted(), died(day(365))], day(370)],
    ['seen alive on Day +370', 'OS', 'EVENT_FREE', 'PENDING', () => [...transplanted(), followUp(day(370))], day(400)],
    ['seen alive on Day +365 exactly', 'OS', 'EVENT_FREE', 'PENDING', () => [...transplanted(), followUp(day(365))], day(400)],
    ['relapse on Day +400 (after 1 year, before 2 years)', 'PFS', 'EVENT_FREE', 'EVENT', () => [...transplanted(), relapsed(day(400))], day(420)],
    ['as of Day +300', 'OS', 'PENDING', 'PENDING', () => [...transplanted(), followUp(day(300))], day(300)],
    ['withdrawn on Day +200', 'OS', 'CENSORED', 'CENSORED', () => [...transplanted(), withdrawn(day(200))], day(800)],
    ['withdrawn on Day +200, alive on Day +400 (survival follow-up)', 'OS', 'EVENT_FREE', 'CENSORED', () => [...transplanted(), withdrawn(day(200)), followUp(day(400))], day(800)],
    ['last seen on Day +300, still on study', 'OS', 'MISSING', 'PENDING', () => [...transplanted(), followUp(day(300))], day(400)],
    ['last seen on Day +700, as of Day +800', 'OS', 'EVENT_FREE', 'MISSING', () => [...transplanted(), followUp(day(700))], day(800)],
  ])('given %s, then %s milestones are 365: %s, 730: %s', (_name, endpoint, at365, at730, events, asOf) => {
    expect(recordOf(events(), asOf).endpoints?.[endpoint].milestones).toEqual({ '365': at365, '730': at730 });
  });

  it('given origin enrollment, then milestones count from the enrollment date', () => {
    // Enrolled on Day -45: the 1-year milestone from enrollment is Day +320.
    const record = recordOf([...transplanted(), followUp(day(330))], day(340));

    expect(record.endpointsFromEnrollment.OS).toMatchObject({ event: false, days: 375, milestones: { '365': 'EVENT_FREE', '730': 'PENDING' } });
    expect(record.endpoints?.OS.milestones).toEqual({ '365': 'PENDING', '730': 'PENDING' });
  });

  it('given a death before transplant, then only the enrollment-origin endpoints exist', () => {
    const record = recordOf([enrolled(day(-45)), chemoStarted(day(-40)), died(day(-20), { cause: 'INFECTION' })], day(0));

    expect(record.endpoints).toBeNull();
    expect(record.endpointsFromEnrollment.OS).toMatchObject({ event: true, days: 25 });
    expect(record.relapseVsNrm).toMatchObject({ event: 'NRM', daysFromDay0: null, daysFromEnrollment: 25, fromDay0: null });
  });
});

describe('project: milestone visits', () => {
  const visit30 = (record: PatientRecord) => record.milestoneVisits.find((v) => v.day === 30);
  const overdue = (record: PatientRecord) => record.deviations.filter((d) => d.code === 'MILESTONE_VISIT_OVERDUE');

  it.each<[string, number[], number, string, number | null]>([
    ['a contact on Day +16 (due - 14)', [16], 60, 'DONE', 16],
    ['a contact on Day +44 (due + 14)', [44], 60, 'DONE', 44],
    ['contacts on Day +20 and +33: the nearer counts', [20, 33], 60, 'DONE', 33],
    ['no contact, as of Day +15', [], 15, 'UPCOMING', null],
    ['no contact, as of Day +16', [], 16, 'DUE', null],
    ['no contact, as of Day +44', [], 44, 'DUE', null],
    ['no contact, as of Day +45', [], 45, 'OVERDUE', null],
    ['only a contact on Day +45, as of Day +45', [45], 45, 'OVERDUE', null],
    ['only a contact on Day +15, as of Day +60', [15], 60, 'OVERDUE', null],
  ])('given %s, then the Day +30 visit is %s', (_name, contacts, asOf, status, contactDay) => {
    const record = recordOf([...transplanted(), ...contacts.map((c) => followUp(day(c)))], day(asOf));

    expect(visit30(record)).toEqual({
      day: 30, due: day(30), windowFrom: day(16), windowTo: day(44), status, contactOn: contactDay === null ? null : day(contactDay),
    });
    expect(overdue(record)).toEqual(
      status === 'OVERDUE' ? [{ code: 'MILESTONE_VISIT_OVERDUE', date: day(45), milestoneDay: 30, message: expect.stringContaining('Day +30') }] : [],
    );
  });

  it('given any effective event in the window (not only a follow-up), then it is a contact', () => {
    const record = recordOf([...transplanted(), aeReported(day(40), { attribution: 'UNRELATED' })], day(60));

    expect(visit30(record)).toMatchObject({ status: 'DONE', contactOn: day(40) });
  });

  it('given a withdrawal before the due date, then the visit is not required and not flagged', () => {
    const record = recordOf([...transplanted(), withdrawn(day(20))], day(200));

    expect(record.milestoneVisits.map((v) => v.status)).toEqual(['NOT_REQUIRED', 'NOT_REQUIRED', 'NOT_REQUIRED', 'NOT_REQUIRED', 'NOT_REQUIRED']);
    expect(overdue(record)).toEqual([]);
  });

  it('given no contact for two years, then every visit is overdue, each flagged on the day after its window', () => {
    const record = recordOf(transplanted(), day(800));

    expect(record.milestoneVisits.map((v) => [v.day, v.due, v.status])).toEqual([
      [30, day(30), 'OVERDUE'], [100, day(100), 'OVERDUE'], [182, day(182), 'OVERDUE'], [365, day(365), 'OVERDUE'], [730, day(730), 'OVERDUE'],
    ]);
    expect(overdue(record).map((d) => [d.milestoneDay, d.date])).toEqual([[30, day(45)], [100, day(115)], [182, day(197)], [365, day(380)], [730, day(745)]]);
  });

  it('given structural and overdue deviations, then they come together in date order', () => {
    const events = [enrolled(day(-20), { eligibilityWaiver: { reason: 'LVEF 49%, cardiology cleared' } }), conditioningStarted(day(-7)), stemCellsInfused(day(0))];

    const record = recordOf(events, day(50));

    expect(record.deviations.map((d) => [d.code, d.date])).toEqual([
      ['ELIGIBILITY_WAIVED', day(-20)],
      ['CONDITIONING_WITHOUT_GPBMC', day(-7)],
      ['MILESTONE_VISIT_OVERDUE', day(45)],
    ]);
  });
});
