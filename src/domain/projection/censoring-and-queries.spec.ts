/**
 * Missing data is never a finding: censoring by documented contact and per endpoint,
 * treatment-related deaths in the day-100 window, the CONDITIONING AE period, and the
 * data queries that ask the site instead. Synthetic patients only.
 */
import { addDays } from '../calendar/clinical-date';
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
  stemCellsInfused,
  voided,
  withdrawn,
} from '../testing/journey.fixtures';
import type { PatientRecord } from './patient-record';
import { advanceSummary, summaryOf } from './patient-summary';
import { project } from './project';

const D0 = '2026-03-02';
const day = (n: number): ClinicalDate => addDays(D0, n);

function transplanted(graftSource: 'PBSC' | 'GPBMC' | 'BM' | 'CORD' = 'BM'): ClinicalFact[] {
  return [enrolled(day(-45)), chemoStarted(day(-40)), gpbmcInfused(day(-30)), conditioningStarted(day(-7)), stemCellsInfused(day(0), { graftSource })];
}

function recordOf(events: readonly ClinicalEvent[], asOf: ClinicalDate, recordedBefore?: number): PatientRecord {
  const history = asHistory(events);
  const known = recordedBefore === undefined ? history : history.slice(0, recordedBefore);
  const record = project('SYN-T1', effectiveHistory(known), asOf, { revision: known.length - 1 });
  if (!record) throw new Error('not enrolled');
  return record;
}

const codes = (record: PatientRecord) => record.queries.map((q) => q.code);

describe('date last known alive: the latest documented contact, never a withdrawal', () => {
  it('given last seen on Day +200 and declared lost to follow-up on Day +400, when projected on Day +500, then OS is censored at Day +200 and the 1-year milestone is not EVENT_FREE', () => {
    const record = recordOf([...transplanted(), followUp(day(200)), withdrawn(day(400), 'LOST_TO_FOLLOW_UP')], day(500));

    expect(record.lastKnownAlive).toBe(day(200));
    expect(record.endpoints!.OS).toMatchObject({ event: false, date: day(200), days: 200 });
    expect(record.endpoints!.OS.milestones['365']).toBe('MISSING');
  });

  it('given a withdrawal before the 1-year milestone and no contact after it, then the milestone is CENSORED', () => {
    const record = recordOf([...transplanted(), followUp(day(200)), withdrawn(day(300))], day(500));

    expect(record.endpoints!.OS.milestones['365']).toBe('CENSORED');
  });

  it.each([
    ['a contact on the withdrawal date counts as a contact', () => [...transplanted(), followUp(day(120)), withdrawn(day(120))], day(120)],
    ['a withdrawal after the last contact adds nothing', () => [...transplanted(), followUp(day(90)), withdrawn(day(120))], day(90)],
    ['a death caps it', () => [...transplanted(), followUp(day(90)), died(day(95))], day(95)],
  ] as const)('given %s, then lastKnownAlive is %s', (_name, events, expected) => {
    expect(recordOf(events(), day(600)).lastKnownAlive).toBe(expected);
  });
});

describe('censoring per endpoint', () => {
  it('given consent withdrawn on Day +120 after a contact on Day +90, and follow-ups on Days +300 and +500, then OS is censored at +500 and PFS, GRFS and relapse/NRM at +90', () => {
    const record = recordOf([...transplanted(), followUp(day(90)), withdrawn(day(120)), followUp(day(300)), followUp(day(500))], day(600));

    expect(record.endpoints!.OS).toMatchObject({ event: false, date: day(500), days: 500 });
    expect(record.endpoints!.PFS).toMatchObject({ event: false, date: day(90), days: 90 });
    expect(record.endpoints!.GRFS).toMatchObject({ event: false, date: day(90), days: 90 });
    expect(record.relapseVsNrm.fromDay0).toEqual({ event: null, date: day(90), days: 90 });
    expect(record.lastAssessed).toBe(day(90));
    // Milestones follow each endpoint's own date: OS is known event-free at a year, PFS is not.
    expect(record.endpoints!.OS.milestones['365']).toBe('EVENT_FREE');
    expect(record.endpoints!.PFS.milestones['365']).toBe('CENSORED');
  });

  it('given a death after the withdrawal, then it is an OS event, and PFS and relapse/NRM stay censored at the last assessment', () => {
    const record = recordOf([...transplanted(), followUp(day(90)), withdrawn(day(120)), died(day(300), { cause: 'INFECTION' })], day(400));

    expect(record.endpoints!.OS).toMatchObject({ event: true, date: day(300), eventType: 'DEATH' });
    expect(record.endpoints!.PFS).toMatchObject({ event: false, date: day(90) });
    expect(record.relapseVsNrm.fromDay0).toMatchObject({ event: null, date: day(90) });
  });

  it('given a relapse dated on the withdrawal date, then it counts for PFS', () => {
    const record = recordOf([...transplanted(), relapsed(day(120)), withdrawn(day(120))], day(400));

    expect(record.endpoints!.PFS).toMatchObject({ event: true, date: day(120), eventType: 'RELAPSE' });
  });

  it('given acute GVHD worsening to grade III after the withdrawal, then GRFS is censored at the last assessment', () => {
    const ae = aeReported(day(60), { aeId: 'AE-1', category: 'ACUTE_GVHD', ctcaeGrade: 2, gvhdGrade: 'II', attribution: 'PROBABLE' });
    const record = recordOf([...transplanted(), ae, followUp(day(100)), withdrawn(day(120)), aeUpdated(day(130), 'AE-1', { ctcaeGrade: 3, gvhdGrade: 'III' })], day(400));

    expect(record.endpoints!.GRFS).toMatchObject({ event: false, date: day(100) });
  });

  it('given a correction that moves the last contact, then the censoring dates move with it', () => {
    const visit = followUp(day(200));
    const events = [...transplanted(), visit, withdrawn(day(250)), corrected(visit, { occurredOn: day(150) })];

    const record = recordOf(events, day(400));

    expect(record.endpoints!.OS.date).toBe(day(150));
    expect(record.endpoints!.PFS.date).toBe(day(150));
  });

  it('given the withdrawal voided, then PFS uses the later contacts again', () => {
    const withdrawal = withdrawn(day(120));
    const events = [...transplanted(), followUp(day(90)), withdrawal, followUp(day(300)), voided(withdrawal)];

    expect(recordOf(events, day(400)).endpoints!.PFS.date).toBe(day(300));
  });

  it('given as-of dates between the withdrawal and a later contact, then OS grows only once the contact is visible', () => {
    const events = [...transplanted(), followUp(day(90)), withdrawn(day(120)), followUp(day(300))];

    expect(recordOf(events, day(200)).endpoints!.OS.date).toBe(day(90));
    expect(recordOf(events, day(300)).endpoints!.OS.date).toBe(day(300));
  });

  it('given recordedBefore between the withdrawal and the later contact, then the contact is not yet known', () => {
    const events = [...transplanted(), followUp(day(90)), withdrawn(day(120)), followUp(day(300))];

    expect(recordOf(events, day(400), events.length - 1).endpoints!.OS.date).toBe(day(90));
    expect(recordOf(events, day(400)).endpoints!.OS.date).toBe(day(300));
  });
});

describe('a treatment-related death in the day-100 window', () => {
  it.each([
    ['GVHD', 'ACUTE_GVHD'],
    ['INFECTION', 'INFECTION'],
    ['ORGAN_FAILURE', 'ORGAN_DYSFUNCTION'],
    ['OTHER', 'OTHER'],
  ] as const)('given a death from %s marked treatment-related on Day +50, then the primary endpoint is an EVENT of %s at grade 5, dated on the death', (cause, category) => {
    const death = died(day(50), { cause, treatmentRelated: true });

    const record = recordOf([...transplanted(), death], day(60));

    expect(record.primaryEndpoint).toEqual({ status: 'EVENT', eventDate: day(50), byCategory: [{ category, count: 1, worstGrade: 5, aeIds: [], deathEventId: death.eventId }] });
  });

  it.each([
    ['not treatment-related', { cause: 'ORGAN_FAILURE', treatmentRelated: false }, 50, { status: 'INCOMPLETE', reason: 'DIED' }],
    ['from relapse', { cause: 'RELAPSE', treatmentRelated: true }, 50, { status: 'INCOMPLETE', reason: 'DIED' }],
    // The death itself shows the patient observed through Day +100.
    ['after the window', { cause: 'INFECTION', treatmentRelated: true }, 101, { status: 'NO_EVENT' }],
    ['on Day +100', { cause: 'INFECTION', treatmentRelated: true }, 100, { status: 'EVENT' }],
    ['on Day 0', { cause: 'INFECTION', treatmentRelated: true }, 0, { status: 'EVENT' }],
  ] as const)('given a death %s, then the primary endpoint is %j', (_name, data, deathDay, expected) => {
    expect(recordOf([...transplanted(), died(day(deathDay), data)], day(deathDay)).primaryEndpoint).toMatchObject(expected);
  });

  it('given a grade-5 related AE of the window dated on the death, then the patient counts once, by the AE', () => {
    const ae = aeReported(day(40), { aeId: 'AE-1', category: 'INFECTION', ctcaeGrade: 3, attribution: 'PROBABLE' });
    const events = [...transplanted(), ae, aeUpdated(day(50), 'AE-1', { ctcaeGrade: 5 }), died(day(50), { cause: 'INFECTION', treatmentRelated: true })];

    const record = recordOf(events, day(60));

    expect(record.primaryEndpoint.byCategory).toEqual([{ category: 'INFECTION', count: 1, worstGrade: 5, aeIds: ['AE-1'] }]);
    expect(codes(record)).not.toContain('DEATH_WITHOUT_GRADE5_AE');
  });

  it('given a related grade-3 AE and a related death of another cause, then both categories count and the event date is the earlier', () => {
    const events = [...transplanted(), aeReported(day(10), { category: 'OTHER', ctcaeGrade: 3, attribution: 'POSSIBLE' }), died(day(50), { cause: 'GVHD', treatmentRelated: true })];

    const record = recordOf(events, day(60));

    expect(record.primaryEndpoint.eventDate).toBe(day(10));
    expect(record.primaryEndpoint.byCategory.map((c) => [c.category, c.count, c.worstGrade])).toEqual([['ACUTE_GVHD', 1, 5], ['OTHER', 1, 3]]);
  });
});

describe('AE periods', () => {
  it.each([
    [-8, 'BRIDGING'],
    [-7, 'CONDITIONING'],
    [-1, 'CONDITIONING'],
    [0, 'DAY100_WINDOW'],
    [100, 'DAY100_WINDOW'],
    [101, 'LATER'],
  ] as const)('given conditioning on Day -7 and an AE on Day %d, then its period is %s', (onset, period) => {
    const record = recordOf([...transplanted(), aeReported(day(onset))], day(200));

    expect(record.adverseEvents[0].phaseAtOnset).toBe(period);
    expect(record.bridgingAdverseEvents.length).toBe(period === 'BRIDGING' ? 1 : 0);
  });

  it('given conditioning and no Day 0 yet, then an AE after conditioning starts is CONDITIONING', () => {
    const events = [enrolled(day(-45)), chemoStarted(day(-40)), gpbmcInfused(day(-30)), conditioningStarted(day(-7)), aeReported(day(-3))];

    expect(recordOf(events, day(-2)).adverseEvents[0].phaseAtOnset).toBe('CONDITIONING');
  });
});

describe('data queries', () => {
  it('given SYN-003-like history (organ-failure death on Day +50, no AE), then the record asks for the grade-5 AE, whatever the death flag', () => {
    for (const treatmentRelated of [true, false]) {
      const death = died(day(50), { cause: 'ORGAN_FAILURE', treatmentRelated });
      const record = recordOf([...transplanted('PBSC'), engrafted(day(20)), death], day(60));

      expect(record.queries).toEqual([
        expect.objectContaining({ code: 'DEATH_WITHOUT_GRADE5_AE', raisedOn: day(50), eventIds: [death.eventId], question: expect.stringContaining('grade 5') }),
      ]);
    }
  });

  it('given a death from relapse, then no grade-5 AE is asked for (an efficacy event)', () => {
    expect(codes(recordOf([...transplanted(), relapsed(day(40)), died(day(50), { cause: 'RELAPSE' })], day(60)))).toEqual([]);
  });

  it('given a death with a grade-5 AE dated on another day, then the query stands until the dates agree', () => {
    const death = died(day(50), { cause: 'INFECTION' });
    const ae = aeReported(day(49), { aeId: 'AE-1', category: 'INFECTION', ctcaeGrade: 5 });
    const events = [...transplanted(), followUp(day(30)), ae, death];

    expect(codes(recordOf(events, day(60)))).toEqual(['DEATH_WITHOUT_GRADE5_AE']);
    expect(codes(recordOf([...events, corrected(ae, { occurredOn: day(50) })], day(60)))).toEqual([]);
  });

  it('given a PBSC graft, a contact on Day +35 and no neutrophil engraftment, then graft failure is derived and the engraftment is asked for; recording it removes the query', () => {
    const visit = followUp(day(35));
    const events = [...transplanted('PBSC'), visit];

    const before = recordOf(events, day(40));
    expect(before.graftFailure).toBe('GRAFT_FAILURE');
    expect(before.queries).toEqual([expect.objectContaining({ code: 'NEUTROPHIL_ENGRAFTMENT_NOT_DOCUMENTED', raisedOn: day(35), eventIds: [events[4].eventId, visit.eventId] })]);

    const after = recordOf([...events, engrafted(day(18))], day(40));
    expect(after.graftFailure).toBe('ENGRAFTED');
    expect(after.queries).toEqual([]);
  });

  it('given a platelet engraftment on Day +35 and none of neutrophils, then it is a query, not graft failure', () => {
    const platelets = engrafted(day(35), 'PLATELET');

    const record = recordOf([...transplanted('PBSC'), platelets], day(40));

    expect(record.graftFailure).toBe('PENDING');
    expect(record.queries).toEqual([expect.objectContaining({ code: 'NEUTROPHIL_ENGRAFTMENT_NOT_DOCUMENTED', raisedOn: day(35), eventIds: [platelets.eventId] })]);
  });

  it('given a marrow graft with platelets before neutrophils, then the order is asked about (any graft source)', () => {
    const record = recordOf([...transplanted('BM'), engrafted(day(20), 'PLATELET'), engrafted(day(25))], day(40));

    expect(codes(record)).toEqual(['NEUTROPHIL_ENGRAFTMENT_NOT_DOCUMENTED']);
    expect(record.graftFailure).toBeNull();
  });

  it('given a reported hematological AE from Day +30 on (graft failure reported by the site), then the engraftment is no longer asked for', () => {
    const events = [...transplanted('PBSC'), followUp(day(35)), aeReported(day(32), { category: 'HEMATOLOGICAL_TOXICITY', term: 'Graft failure', ctcaeGrade: 4 })];

    expect(codes(recordOf(events, day(40)))).toEqual([]);
  });

  it('given the window over, on study and no contact on or after Day +100, then DAY100_NOT_OBSERVED is raised on Day +101 and a contact on Day +100 answers it', () => {
    const events = [...transplanted(), followUp(day(30)), followUp(day(90))];

    expect(codes(recordOf(events, day(100)))).toEqual([]);
    expect(recordOf(events, day(101)).queries).toEqual([expect.objectContaining({ code: 'DAY100_NOT_OBSERVED', raisedOn: day(101) })]);
    expect(codes(recordOf([...events, followUp(day(100))], day(101)))).toEqual([]);
  });

  it('given an overdue milestone visit, then it is a query as well as a deviation', () => {
    const record = recordOf([...transplanted(), followUp(day(100))], day(45));

    expect(record.deviations.map((d) => d.code)).toContain('MILESTONE_VISIT_OVERDUE');
    expect(record.queries).toEqual([expect.objectContaining({ code: 'MILESTONE_VISIT_OVERDUE', raisedOn: day(45) })]);
  });

  it('given a withdrawal inside a visit window and no other contact, then the visit is not done: a withdrawal is not a visit', () => {
    const record = recordOf([...transplanted(), followUp(day(100)), withdrawn(day(35))], day(50));

    expect(record.milestoneVisits[0]).toMatchObject({ day: 30, contactOn: null, status: 'OVERDUE' });
  });

  it('given an AE of grade 3 with no resolution when the patient withdrew, then it is asked about; a resolution date answers it', () => {
    const ae = aeReported(day(20), { aeId: 'AE-1', ctcaeGrade: 3 });
    const withdrawal = withdrawn(day(60));
    const events = [...transplanted(), ae, aeUpdated(day(25), 'AE-1', { ctcaeGrade: 1 }), withdrawal];

    expect(recordOf(events, day(70)).queries).toEqual([
      expect.objectContaining({ code: 'AE_UNRESOLVED_AT_OFF_STUDY', raisedOn: day(60), eventIds: [ae.eventId, withdrawal.eventId] }),
    ]);
    expect(codes(recordOf([...events, aeUpdated(day(65), 'AE-1', { resolvedOn: day(40) })], day(70)))).toEqual([]);
  });

  it('given a grade-5 AE at death, then it needs no resolution date', () => {
    const events = [...transplanted(), aeReported(day(20), { ctcaeGrade: 5, category: 'INFECTION' }), died(day(20), { cause: 'INFECTION' })];

    expect(codes(recordOf(events, day(30)))).toEqual([]);
  });

  it('given a summary carried forward by the calendar, then its queries equal the projection at that date', () => {
    const events = [...transplanted('PBSC'), followUp(day(35)), aeReported(day(40), { ctcaeGrade: 4 })];
    const summary = summaryOf(recordOf(events, day(40)));

    for (const n of [50, 101, 130, 400, 800]) expect(advanceSummary(summary, day(n)).queries).toEqual(recordOf(events, day(n)).queries);
  });
});
