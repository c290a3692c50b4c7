import { AeReportTally, type AeReportPatient } from '../../reports/adverse-event-report';
import { aeHeatmapHtml, heatmapPanels, shadeOf } from './ae-heatmap';

// The window's table counts the primary endpoint's own categories (EVENT patients, grade by Day +100).
const patient = (day0: string | null, aes: AeReportPatient['adverseEvents']): AeReportPatient => {
  const window = aes.filter((ae) => ae.phaseAtOnset === 'DAY100_WINDOW' && ae.treatmentRelated);
  return {
    asOf: '2026-11-25',
    day0,
    conditioningOn: null,
    offStudy: null,
    primaryEndpoint: window.length > 0 ? { status: 'EVENT', byCategory: window.map((ae) => ({ category: ae.category, worstGrade: ae.worstCtcaeGrade })) } : { status: 'OPEN', byCategory: [] },
    adverseEvents: aes,
  };
};

function reportOf(patients: readonly AeReportPatient[], asOf: string) {
  const tally = new AeReportTally();
  for (const p of patients) tally.add(p);
  return tally.report(asOf);
}

describe('AE heatmap', () => {
  const report = reportOf(
    [
      patient('2026-03-01', [{ phaseAtOnset: 'DAY100_WINDOW', category: 'ACUTE_GVHD', worstCtcaeGrade: 3, treatmentRelated: true, serious: false }]),
      patient('2026-03-01', [{ phaseAtOnset: 'DAY100_WINDOW', category: 'ACUTE_GVHD', worstCtcaeGrade: 2, treatmentRelated: true, serious: false }]),
      patient(null, [{ phaseAtOnset: 'BRIDGING', category: 'INFECTION', worstCtcaeGrade: 4, treatmentRelated: true, serious: true }]),
    ],
    '2026-11-25',
  );

  it('given the AE report, then there is one panel per period it returns, in its order, each with its denominator', () => {
    const panels = heatmapPanels(report);
    expect(panels.map((p) => p.period)).toEqual(report.treatmentRelated.periods.map((p) => p.period));
    expect(panels.map((p) => p.denominator)).toEqual(report.treatmentRelated.periods.map((p) => p.denominator.patients));
  });

  it('given a report with a period the page has never seen, then it is drawn too', () => {
    const extra = {
      ...report,
      treatmentRelated: { ...report.treatmentRelated, periods: [{ ...report.treatmentRelated.periods[0], period: 'CONDITIONING' as never }, ...report.treatmentRelated.periods] },
    };
    expect(heatmapPanels(extra)[0].period).toBe('CONDITIONING');
    expect(aeHeatmapHtml(extra)).toContain('data-period="CONDITIONING"');
  });

  it('given the window panel, then each cell holds the patients at that worst grade and their share of N', () => {
    const html = aeHeatmapHtml(report);
    const window = html.slice(html.indexOf('data-period="DAY100_WINDOW"'));
    expect(window).toContain('N = 2');
    const gvhd = window.slice(window.indexOf('data-category="ACUTE_GVHD"'));
    expect(gvhd).toMatch(/data-grade="2" data-count="1"[^>]*>1 \(50%\)/);
    expect(gvhd).toMatch(/data-grade="3" data-count="1"[^>]*>1 \(50%\)/);
    expect(gvhd).toMatch(/data-grade="any" data-count="2"[^>]*>2 \(100%\)/);
  });

  it.each([
    [null, '#ffffff'],
    [0, '#ffffff'],
    [1, '#08306b'],
  ])('given the share %p, then the shade is %s', (share, background) => {
    expect(shadeOf(share).background).toBe(background);
  });

  it('given a dark shade, then the text is white', () => {
    expect(shadeOf(0.9).color).toBe('#ffffff');
    expect(shadeOf(0.1).color).toBe('#000000');
  });
});
