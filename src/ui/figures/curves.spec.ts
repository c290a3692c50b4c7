import fc from 'fast-check';
import { kaplanMeier, type SurvivalObservation } from '../../domain/statistics';
import { survivalReportOf } from '../../reports/time-to-event-report';
import { atRiskAt, bandPoints, stepPoints, survivalSvg, type CurveSeries } from './curves';

const arbObservations = fc.array(fc.record({ time: fc.integer({ min: 0, max: 800 }), event: fc.boolean() }), { minLength: 0, maxLength: 60 });

describe('stepPoints', () => {
  it('given steps, then the curve runs flat to each day and then drops, starting at (0, start)', () => {
    expect(stepPoints(1, [{ day: 10, value: 0.8 }, { day: 10 + 5, value: 0.8 }, { day: 30, value: 0.4 }])).toEqual([
      [0, 1],
      [10, 1],
      [10, 0.8],
      [15, 0.8],
      [30, 0.8],
      [30, 0.4],
    ]);
  });

  it('given any Kaplan-Meier estimate, then reading the drawn curve at any day gives S(day) of the estimate', () => {
    fc.assert(
      fc.property(arbObservations, fc.integer({ min: 0, max: 800 }), (observations, day) => {
        const km = kaplanMeier(observations);
        const points = stepPoints(1, km.steps.map((s) => ({ day: s.day, value: s.survival })));
        // The value in force at `day`: the last corner at or before it.
        let drawn = 1;
        for (const [d, v] of points) if (d <= day) drawn = v;
        const last = [...km.steps].reverse().find((s) => s.day <= day);
        expect(drawn).toBe(last ? last.survival : 1);
      }),
    );
  });
});

describe('bandPoints', () => {
  it('given bounds not estimable (no event yet), then the band closes onto the curve', () => {
    const series: CurveSeries = { key: 'OS', label: 'OS', colour: '#000', start: 1, steps: [{ day: 5, atRisk: 3, value: 1, lower: null, upper: null, censored: 1 }] };
    expect(new Set(bandPoints(series).map(([, v]) => v))).toEqual(new Set([1]));
  });

  it('given any estimate, then the band holds the curve: upper above and lower below at every corner', () => {
    fc.assert(
      fc.property(arbObservations, (observations) => {
        const km = kaplanMeier(observations);
        const steps = km.steps.map((s) => ({ day: s.day, atRisk: s.atRisk, value: s.survival, lower: s.lower, upper: s.upper, censored: s.censored }));
        const band = bandPoints({ key: 'OS', label: 'OS', colour: '#000', start: 1, steps });
        const curve = stepPoints(1, steps);
        const upper = band.slice(0, band.length / 2);
        const lower = band.slice(band.length / 2).reverse();
        expect(upper).toHaveLength(curve.length);
        curve.forEach(([day, value], i) => {
          expect(upper[i][0]).toBe(day);
          expect(lower[i][0]).toBe(day);
          expect(upper[i][1]).toBeGreaterThanOrEqual(value - 1e-12);
          expect(lower[i][1]).toBeLessThanOrEqual(value + 1e-12);
        });
      }),
    );
  });
});

describe('atRiskAt', () => {
  it('given any observations, then the number at risk on a day is the number whose time is on or after it', () => {
    fc.assert(
      fc.property(arbObservations, fc.integer({ min: 0, max: 900 }), (observations: SurvivalObservation[], day) => {
        const km = kaplanMeier(observations);
        expect(atRiskAt(km.steps, day)).toBe(observations.filter((o) => o.time >= day).length);
      }),
    );
  });

  it('given the report milestones, then the at-risk count read off the steps equals the report\'s own at Day 365 and 730', () => {
    fc.assert(
      fc.property(arbObservations, (observations) => {
        const report = survivalReportOf(observations, 'OS', 'TRANSPLANT', '2027-01-01');
        for (const m of report.milestones) expect(atRiskAt(report.steps, m.day)).toBe(m.atRisk);
      }),
    );
  });
});

describe('survivalSvg', () => {
  const report = survivalReportOf(
    [
      { time: 10, event: true },
      { time: 20, event: false },
      { time: 35, event: true },
      { time: 400, event: false },
    ],
    'OS',
    'TRANSPLANT',
    '2026-11-25',
  );

  it('given a report, then the figure is a titled, described SVG with axis labels, a legend, the at-risk table and the cut-off', () => {
    const svg = survivalSvg(report, { diagnosis: 'AML' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('role="img"');
    expect(svg).toContain('<title id="survival-os-title">');
    expect(svg).toContain('<desc id="survival-os-desc">');
    expect(svg).toContain('Days from Day 0 (stem cell infusion)');
    expect(svg).toContain('OS probability');
    expect(svg).toContain('data-legend="OS"');
    expect(svg).toContain('data-legend="CENSOR"');
    expect(svg).toContain('Number at risk');
    expect(svg).toContain('data-day="0" data-at-risk="4"');
    expect(svg).toContain('Data cut-off (as of) 2026-11-25; diagnosis AML');
  });

  it('given text from a record with markup characters, then it is escaped', () => {
    const svg = survivalSvg(report, { diagnosis: '<script>' });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
  });

  it('given an empty cohort, then the figure still draws axes and says n=0', () => {
    const svg = survivalSvg(survivalReportOf([], 'PFS', 'ENROLLMENT', '2026-11-25'));
    expect(svg).toContain('n=0, events=0, censored=0');
    expect(svg).toContain('Days from enrollment');
    expect(svg).toContain('data-day="0" data-at-risk="0"');
  });
});
