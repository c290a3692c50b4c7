import fc from 'fast-check';
import { clopperPearson } from '../domain/statistics';
import { aeReported, aeUpdated, arbJourney, chemoStarted, conditioningStarted, died, enrolled, followUp, gpbmcInfused, stemCellsInfused, withdrawn } from '../domain/testing/journey.fixtures';
import { adverseEventReport, aeReportPatientOf, atRisk, inDenominator } from './adverse-event-report';
import { recordOf } from './testing/report.fixtures';

const ASOF = '2026-12-31';
const untilDay0 = (day0: string) => [enrolled('2026-01-05'), chemoStarted('2026-01-06'), gpbmcInfused('2026-01-15'), conditioningStarted('2026-01-25'), stemCellsInfused(day0)];
const related = { attribution: 'PROBABLE' as const };
const unrelated = { attribution: 'UNRELATED' as const };

describe('inDenominator and atRisk', () => {
  // Day 0 2026-02-01 (conditioning from 2026-01-25): Day +100 is 2026-05-12, Day +101 2026-05-13.
  // The window's denominator is the primary endpoint's: evaluable patients (EVENT or NO_EVENT) only.
  it.each([
    ['no Day 0', [true, false, false, false], [false], [enrolled('2026-01-05')], ASOF],
    ['chemotherapy only', [true, false, false, false], [false], [enrolled('2026-01-05'), chemoStarted('2026-01-06')], ASOF],
    ['conditioning started, no Day 0 yet', [true, true, false, false], [false], [enrolled('2026-01-05'), chemoStarted('2026-01-06'), gpbmcInfused('2026-01-15'), conditioningStarted('2026-01-25')], '2026-01-30'],
    ['Day 0, as of Day +100 (window open)', [true, true, false, false], [true], untilDay0('2026-02-01'), '2026-05-12'],
    ['Day 0, as of Day +101, not observed through Day +100', [true, true, false, true], [true], untilDay0('2026-02-01'), '2026-05-13'],
    ['Day 0, seen on Day +100 (NO_EVENT)', [true, true, true, true], [true], [...untilDay0('2026-02-01'), followUp('2026-05-12')], ASOF],
    ['died on Day +100 (INCOMPLETE)', [true, true, false, false], [true], [...untilDay0('2026-02-01'), died('2026-05-12')], ASOF],
    ['withdrawn on Day +101, not seen since Day 0 (INCOMPLETE)', [true, true, false, true], [true], [...untilDay0('2026-02-01'), withdrawn('2026-05-13')], ASOF],
    ['withdrawn on Day +50 with an AE on Day +120', [true, true, false, true], [true], [...untilDay0('2026-02-01'), withdrawn('2026-03-23'), aeReported('2026-06-01')], ASOF],
  ] as const)('given %s, is in the BRIDGING, CONDITIONING, DAY100_WINDOW, LATER denominators: %j, at risk in the window: %j', (_label, expected, [windowAtRisk], events, asOf) => {
    const patient = aeReportPatientOf(recordOf('SYN-D', events, asOf));
    expect((['BRIDGING', 'CONDITIONING', 'DAY100_WINDOW', 'LATER'] as const).map((p) => inDenominator(patient, p))).toEqual(expected);
    expect(atRisk(patient, 'DAY100_WINDOW')).toBe(windowAtRisk);
  });
});

describe('adverseEventReport', () => {
  // SYN-1: related infection grade 2 and related GVHD worsening to grade 4 in the window; a related bridging AE grade 3.
  // SYN-2: an unrelated serious AE in the window, a related one later (grade 1), followed past Day +100.
  // SYN-3: not transplanted, a related bridging AE grade 5 (serious).
  const cohort = () => [
    recordOf('SYN-1', [
      ...untilDay0('2026-02-01'),
      aeReported('2026-01-20', { aeId: 'AE-1', category: 'HEMATOLOGICAL_TOXICITY', ctcaeGrade: 3, serious: true, ...related }),
      aeReported('2026-02-10', { aeId: 'AE-2', category: 'INFECTION', ctcaeGrade: 2, serious: false, ...related }),
      aeReported('2026-02-20', { aeId: 'AE-3', category: 'ACUTE_GVHD', gvhdGrade: 'II', ctcaeGrade: 2, serious: false, attribution: 'UNLIKELY' }),
      aeUpdated('2026-03-01', 'AE-3', { ctcaeGrade: 4, gvhdGrade: 'IV' }),
      followUp('2026-06-01'),
    ], ASOF),
    recordOf('SYN-2', [
      ...untilDay0('2026-02-03'),
      aeReported('2026-03-01', { aeId: 'AE-1', category: 'INFECTION', ctcaeGrade: 3, serious: true, ...unrelated }),
      aeReported('2026-06-20', { aeId: 'AE-2', category: 'OTHER', ctcaeGrade: 1, serious: false, ...related }),
      followUp('2026-08-01'),
    ], ASOF),
    recordOf('SYN-3', [
      enrolled('2026-01-05'),
      aeReported('2026-01-12', { aeId: 'AE-1', category: 'ORGAN_DYSFUNCTION', ctcaeGrade: 5, serious: true, ...related }),
      died('2026-01-12', { cause: 'ORGAN_FAILURE', treatmentRelated: true }),
    ], ASOF),
  ];

  it('counts patients with a treatment-related AE by period over the stated denominators, at their worst grade', () => {
    const report = adverseEventReport(cohort(), ASOF);
    const [bridging, conditioning, window, later] = report.treatmentRelated.periods;

    expect(report.n).toBe(3);
    expect(bridging).toMatchObject({ period: 'BRIDGING', denominator: { patients: 3 } });
    expect(bridging.anyCategory).toEqual({ patients: 2, byWorstGrade: { '1': 0, '2': 0, '3': 1, '4': 0, '5': 1 }, incidence: clopperPearson(2, 3) });
    expect(conditioning).toMatchObject({ period: 'CONDITIONING', denominator: { patients: 2 }, anyCategory: { patients: 0 } });
    expect(window).toMatchObject({ period: 'DAY100_WINDOW', denominator: { patients: 2 } });
    // SYN-1 counts once, at grade 4 (GVHD), though it also had a grade 2 infection.
    expect(window.anyCategory).toEqual({ patients: 1, byWorstGrade: { '1': 0, '2': 0, '3': 0, '4': 1, '5': 0 }, incidence: clopperPearson(1, 2) });
    expect(later).toMatchObject({ period: 'LATER', denominator: { patients: 2 } });
    expect(later.anyCategory.patients).toBe(1);
    expect(later.anyCategory.byWorstGrade['1']).toBe(1);
  });

  it('lists every category, counting a patient in each category at the worst grade within it', () => {
    const window = adverseEventReport(cohort(), ASOF).treatmentRelated.periods[2];

    expect(window.byCategory.map((c) => [c.category, c.patients])).toEqual([
      ['ACUTE_GVHD', 1], ['CHRONIC_GVHD', 0], ['INFECTION', 1], ['ORGAN_DYSFUNCTION', 0], ['HEMATOLOGICAL_TOXICITY', 0], ['OTHER', 0],
    ]);
    expect(window.byCategory[0].byWorstGrade['4']).toBe(1);
    expect(window.byCategory[2].byWorstGrade['2']).toBe(1);
    expect(window.byCategory[1].incidence).toEqual({ estimate: 0, lower: 0, upper: clopperPearson(0, 2).upper });
  });

  it('summarises the primary endpoint: statuses, evaluable = EVENT + NO_EVENT, exact CI', () => {
    const primary = adverseEventReport(cohort(), ASOF).primaryEndpoint;

    expect(primary.byStatus).toEqual({ NOT_APPLICABLE: 1, EVENT: 1, OPEN: 0, NO_EVENT: 1, INCOMPLETE: 0 });
    expect(primary).toMatchObject({ evaluable: 2, withEvent: 1, incidence: clopperPearson(1, 2) });
    expect(primary.byCategory.filter((c) => c.patients > 0).map((c) => [c.category, c.byWorstGrade])).toEqual([
      ['ACUTE_GVHD', { '1': 0, '2': 0, '3': 0, '4': 1, '5': 0 }],
      ['INFECTION', { '1': 0, '2': 1, '3': 0, '4': 0, '5': 0 }],
    ]);
  });

  it('counts serious AEs, related or not, by period and category: patients and events', () => {
    const [bridging, , window, later] = adverseEventReport(cohort(), ASOF).serious.periods;

    expect(bridging).toMatchObject({ period: 'BRIDGING', denominator: 3, patients: 2, events: 2 });
    expect(window).toMatchObject({ period: 'DAY100_WINDOW', denominator: 2, patients: 1, events: 1 });
    expect(window.byCategory.find((c) => c.category === 'INFECTION')).toEqual({ category: 'INFECTION', patients: 1, events: 1 });
    expect(later).toMatchObject({ period: 'LATER', patients: 0, events: 0 });
  });

  it('given five patients with one INCOMPLETE, then the line shows it beside the evaluable rate and a worst case counting it as an event, with exact CIs', () => {
    const evaluableEvent = recordOf('SYN-A', [...untilDay0('2026-02-01'), aeReported('2026-02-10', { ...related }), followUp('2026-05-20')], ASOF);
    const noEvent = (id: string) => recordOf(id, [...untilDay0('2026-02-01'), followUp('2026-05-20')], ASOF);
    const incomplete = recordOf('SYN-E', [...untilDay0('2026-02-01'), died('2026-03-01', { cause: 'INFECTION' })], ASOF);

    const primary = adverseEventReport([evaluableEvent, noEvent('SYN-B'), noEvent('SYN-C'), noEvent('SYN-D'), incomplete], ASOF).primaryEndpoint;

    expect(primary).toMatchObject({ evaluable: 4, withEvent: 1, incidence: clopperPearson(1, 4) });
    expect(primary.incomplete).toEqual({ patients: 1, byReason: { DIED: 1, WITHDRAWN: 0 } });
    expect(primary.worstCase).toEqual({ withEvent: 2, denominator: 5, incidence: clopperPearson(2, 5) });
    expect(primary.denominatorRule).toContain('EVENT / (EVENT + NO_EVENT)');
  });

  it('given a treatment-related death in the window without an AE, then the window table and the endpoint line both count it at grade 5', () => {
    const record = recordOf('SYN-F', [...untilDay0('2026-02-01'), died('2026-03-01', { cause: 'INFECTION', treatmentRelated: true })], ASOF);

    const report = adverseEventReport([record], ASOF);
    const window = report.treatmentRelated.periods[2];

    expect(report.primaryEndpoint).toMatchObject({ evaluable: 1, withEvent: 1 });
    expect(window.denominator.patients).toBe(1);
    expect(window.byCategory.find((c) => c.category === 'INFECTION')).toMatchObject({ patients: 1, byWorstGrade: { '5': 1 } });
    expect(report.primaryEndpoint.byCategory.find((c) => c.category === 'INFECTION')).toEqual(window.byCategory.find((c) => c.category === 'INFECTION'));
  });

  it('given two serious AEs of one category in one patient, counts one patient and two events', () => {
    const record = recordOf('SYN-9', [
      enrolled('2026-01-05'),
      aeReported('2026-01-10', { aeId: 'AE-1', category: 'INFECTION', serious: true }),
      aeReported('2026-01-11', { aeId: 'AE-2', category: 'INFECTION', serious: true }),
    ], ASOF);
    const bridging = adverseEventReport([record], ASOF).serious.periods[0];
    expect(bridging.byCategory.find((c) => c.category === 'INFECTION')).toEqual({ category: 'INFECTION', patients: 1, events: 2 });
  });

  it('given an empty cohort, answers zero counts and null incidences', () => {
    const report = adverseEventReport([], ASOF);

    expect(report.n).toBe(0);
    for (const period of report.treatmentRelated.periods) {
      expect(period.denominator.patients).toBe(0);
      expect(period.anyCategory.incidence).toEqual({ estimate: null, lower: null, upper: null });
    }
    expect(report.primaryEndpoint).toMatchObject({ evaluable: 0, withEvent: 0, incidence: { estimate: null, lower: null, upper: null } });
  });

  it('for any cohort: numerators within denominators, worst grades summing to the patients, any-category at least each category (property)', () => {
    fc.assert(
      fc.property(fc.array(arbJourney({ from: '2025-01-01', to: '2026-12-31' }), { maxLength: 6 }), fc.constantFrom('2025-06-30', '2026-12-31'), (journeys, asOf) => {
        const records = journeys
          .filter((j) => j.events[0].type === 'PatientEnrolled' && j.events[0].occurredOn <= asOf)
          .map((j, i) => recordOf(`SYN-${i}`, j.events, asOf));
        const report = adverseEventReport(records, asOf);
        for (const period of report.treatmentRelated.periods) {
          const sum = (row: { readonly byWorstGrade: object }) => (Object.values(row.byWorstGrade) as number[]).reduce((a, b) => a + b, 0);
          expect(period.anyCategory.patients).toBeLessThanOrEqual(period.denominator.patients);
          expect(sum(period.anyCategory)).toBe(period.anyCategory.patients);
          for (const row of period.byCategory) {
            expect(sum(row)).toBe(row.patients);
            expect(row.patients).toBeLessThanOrEqual(period.anyCategory.patients);
          }
        }
        const p = report.primaryEndpoint;
        expect(Object.values(p.byStatus).reduce((a, b) => a + b, 0)).toBe(records.length);
        // One denominator rule: the window table repeats the endpoint line by category.
        const window = report.treatmentRelated.periods.find((period) => period.period === 'DAY100_WINDOW')!;
        expect(window.denominator.patients).toBe(p.evaluable);
        expect(window.anyCategory.patients).toBe(p.withEvent);
        expect(window.byCategory).toEqual(p.byCategory);
        for (const row of p.byCategory) expect(row.patients).toBeLessThanOrEqual(p.withEvent);
      }),
      { numRuns: 100 },
    );
  });
});
