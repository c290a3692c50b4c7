import { kaplanMeier } from '../domain/statistics';
import { chemoStarted, conditioningStarted, died, enrolled, followUp, gpbmcInfused, relapsed, stemCellsInfused } from '../domain/testing/journey.fixtures';
import { recordOf } from './testing/report.fixtures';
import { competingObservations, cumulativeIncidenceReport, survivalObservations, survivalReport } from './time-to-event-report';

const ASOF = '2028-12-31';
const transplanted = (subjectId: string, day0: string, ...after: Parameters<typeof recordOf>[1]) =>
  recordOf(subjectId, [enrolled('2026-01-05'), chemoStarted('2026-01-06'), gpbmcInfused('2026-01-15'), conditioningStarted('2026-01-25'), stemCellsInfused(day0), ...after], ASOF);

// Day 0 2026-02-01: relapse Day +89, death Day +129; alive at Day +181 and +800; NRM at Day +59.
const cohort = () => [
  transplanted('SYN-1', '2026-02-01', relapsed('2026-05-01'), died('2026-06-10')),
  transplanted('SYN-2', '2026-02-01', followUp('2026-08-01')),
  transplanted('SYN-3', '2026-02-01', died('2026-04-01', { cause: 'INFECTION', treatmentRelated: true })),
  transplanted('SYN-4', '2026-02-01', followUp('2028-04-11')),
  recordOf('SYN-5', [enrolled('2026-01-05'), died('2026-01-30', { cause: 'INFECTION' })], ASOF),
];

describe('survivalReport', () => {
  it('given a cohort, answers exactly the fixed shape with no extra fields', () => {
    const report = survivalReport(cohort(), 'OS', 'TRANSPLANT', ASOF);

    expect(Object.keys(report)).toEqual(['endpoint', 'origin', 'asOf', 'n', 'events', 'censored', 'median', 'milestones', 'steps']);
    expect(Object.keys(report.median)).toEqual(['days', 'lower', 'upper']);
    for (const m of report.milestones) expect(Object.keys(m)).toEqual(['day', 'survival', 'lower', 'upper', 'atRisk']);
    for (const s of report.steps) expect(Object.keys(s)).toEqual(['day', 'atRisk', 'events', 'censored', 'survival', 'lower', 'upper']);
  });

  it('given origin TRANSPLANT, leaves out the patient without Day 0; given ENROLLMENT, counts everyone', () => {
    expect(survivalObservations(cohort(), 'OS', 'TRANSPLANT')).toEqual([
      { time: 129, event: true }, { time: 181, event: false }, { time: 59, event: true }, { time: 800, event: false },
    ]);
    expect(survivalObservations(cohort(), 'OS', 'ENROLLMENT')).toEqual([
      { time: 156, event: true }, { time: 208, event: false }, { time: 86, event: true }, { time: 827, event: false }, { time: 25, event: true },
    ]);
  });

  it('given OS from Day 0, reports the product-limit estimate of the patients\' times', () => {
    const report = survivalReport(cohort(), 'OS', 'TRANSPLANT', ASOF);
    const km = kaplanMeier([{ time: 129, event: true }, { time: 181, event: false }, { time: 59, event: true }, { time: 800, event: false }], { milestones: [365, 730] });

    expect(report).toMatchObject({ endpoint: 'OS', origin: 'TRANSPLANT', asOf: ASOF, n: 4, events: 2, censored: 2 });
    expect(report.steps.map((s) => [s.day, s.atRisk, s.events, s.censored, s.survival])).toEqual([
      [59, 4, 1, 0, 0.75], [129, 3, 1, 0, 0.5], [181, 2, 0, 1, 0.5], [800, 1, 0, 1, 0.5],
    ]);
    expect(report.median).toEqual(km.median);
    expect(report.milestones).toEqual([
      { day: 365, survival: 0.5, lower: km.milestones[0].lower, upper: km.milestones[0].upper, atRisk: 1 },
      { day: 730, survival: 0.5, lower: km.milestones[1].lower, upper: km.milestones[1].upper, atRisk: 1 },
    ]);
  });

  it('given PFS, takes the relapse as the event', () => {
    const report = survivalReport(cohort(), 'PFS', 'TRANSPLANT', ASOF);
    expect(report.steps.map((s) => [s.day, s.events])).toEqual([[59, 1], [89, 1], [181, 0], [800, 0]]);
  });

  it('given an empty cohort, answers n = 0 and nulls', () => {
    expect(survivalReport([], 'GRFS', 'TRANSPLANT', ASOF)).toEqual({
      endpoint: 'GRFS', origin: 'TRANSPLANT', asOf: ASOF, n: 0, events: 0, censored: 0,
      median: { days: null, lower: null, upper: null },
      milestones: [
        { day: 365, survival: null, lower: null, upper: null, atRisk: 0 },
        { day: 730, survival: null, lower: null, upper: null, atRisk: 0 },
      ],
      steps: [],
    });
  });

  it('given follow-up shorter than a milestone, answers null there rather than a guess', () => {
    const report = survivalReport([transplanted('SYN-1', '2026-02-01', followUp('2026-08-01'))], 'OS', 'TRANSPLANT', ASOF);
    expect(report.milestones.map((m) => m.survival)).toEqual([null, null]);
  });

  it('given everyone dead before Day +365, answers 0 at both milestones (the curve is determined), limits null', () => {
    const dead = [cohort()[0]!, cohort()[2]!]; // deaths on Day +129 and Day +59
    const report = survivalReport(dead, 'OS', 'TRANSPLANT', ASOF);
    expect(report.milestones).toEqual([
      { day: 365, survival: 0, lower: null, upper: null, atRisk: 0 },
      { day: 730, survival: 0, lower: null, upper: null, atRisk: 0 },
    ]);
    // S sits at 0.5 from Day 59 until it drops to 0 on Day 129: the midpoint.
    expect(report.median.days).toBe(94);
  });
});

describe('cumulativeIncidenceReport', () => {
  it('given origin TRANSPLANT, codes relapse 1, NRM 2, censored 0 and leaves out the patient without Day 0', () => {
    expect(competingObservations(cohort(), 'TRANSPLANT')).toEqual([
      { time: 89, cause: 1 }, { time: 181, cause: 0 }, { time: 59, cause: 2 }, { time: 800, cause: 0 },
    ]);
    expect(competingObservations(cohort(), 'ENROLLMENT')).toContainEqual({ time: 25, cause: 2 });
  });

  it('given a cohort, reports Aalen-Johansen estimates at Day 365 and 730 with variance and limits, and the step tables', () => {
    const report = cumulativeIncidenceReport(cohort(), 'TRANSPLANT', ASOF);

    expect(report).toMatchObject({ origin: 'TRANSPLANT', asOf: ASOF, n: 4, censored: 2 });
    // NRM on Day 59 among 4: 1/4. Relapse on Day 89 among 3 with S(89-) = 3/4: 3/4 * 1/3 = 1/4.
    expect(report.relapse.events).toBe(1);
    expect(report.nonRelapseMortality.events).toBe(1);
    expect(report.relapse.milestones.map((m) => [m.day, m.estimate, m.atRisk])).toEqual([[365, 0.25, 1], [730, 0.25, 1]]);
    expect(report.nonRelapseMortality.milestones[0].estimate).toBe(0.25);
    for (const m of [...report.relapse.milestones, ...report.nonRelapseMortality.milestones]) {
      expect(m.variance).toBeGreaterThan(0);
      expect(m.lower!).toBeLessThan(0.25);
      expect(m.upper!).toBeGreaterThan(0.25);
    }
    expect(report.relapse.steps.map((s) => [s.day, s.atRisk, s.events, s.estimate])).toEqual([[59, 4, 0, 0], [89, 3, 1, 0.25], [181, 2, 0, 0.25], [800, 1, 0, 0.25]]);
    // A step at 0 has no band; later steps carry the same band as the milestones read off them.
    expect(report.relapse.steps[0]).toMatchObject({ lower: null, upper: null });
    expect(report.relapse.steps[3]).toMatchObject({ lower: report.relapse.milestones[1].lower, upper: report.relapse.milestones[1].upper });
  });

  it('given no one left at risk (relapse Day +89, NRM Day +59), answers both incidences at the milestones', () => {
    const report = cumulativeIncidenceReport([cohort()[0]!, cohort()[2]!], 'TRANSPLANT', ASOF);
    expect(report.relapse.milestones.map((m) => [m.day, m.estimate, m.atRisk])).toEqual([[365, 0.5, 0], [730, 0.5, 0]]);
    expect(report.nonRelapseMortality.milestones.map((m) => [m.day, m.estimate, m.atRisk])).toEqual([[365, 0.5, 0], [730, 0.5, 0]]);
  });

  it('given an empty cohort, answers n = 0 and nulls', () => {
    const report = cumulativeIncidenceReport([], 'ENROLLMENT', ASOF);
    expect(report).toMatchObject({ n: 0, censored: 0 });
    expect(report.relapse).toEqual({
      events: 0,
      steps: [],
      milestones: [
        { day: 365, estimate: null, variance: null, lower: null, upper: null, atRisk: 0 },
        { day: 730, estimate: null, variance: null, lower: null, upper: null, atRisk: 0 },
      ],
    });
  });
});
