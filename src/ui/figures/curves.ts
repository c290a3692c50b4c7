/**
 * Step curves over days with pointwise confidence bands, censor ticks and a
 * number-at-risk table: the Kaplan-Meier figure (OS, PFS, GRFS) and the cumulative
 * incidence figure (relapse, NRM). Drawn from the report JSON exactly as the report
 * routes answer it; nothing is re-estimated here.
 */
import { atRiskOn, lastStepAtOrBefore } from '../../domain/statistics/kaplan-meier';
import type { CumulativeIncidenceReport, SurvivalReport } from '../../reports/time-to-event-report';
import { OKABE_ITO } from './palette';
import { linearScale, niceTicks, type LinearScale } from './scale';
import { CHAR_WIDTH, el, num, svgDocument, text, title, wrappedText } from './svg';

/** One step of a curve: the value from `day` on, with its band (null where not estimable). */
export interface CurveStep {
  readonly day: number;
  readonly atRisk: number;
  readonly value: number;
  readonly lower: number | null;
  readonly upper: number | null;
  readonly censored: number;
}

export interface CurveSeries {
  readonly key: string;
  readonly label: string;
  readonly colour: string;
  readonly dash?: string;
  /** The value before the first step: 1 for survival, 0 for incidence. */
  readonly start: number;
  readonly steps: readonly CurveStep[];
}

/** Corner points of a step function starting at (0, start): right to each step's day, then up or down to its value. */
export function stepPoints(start: number, steps: readonly { readonly day: number; readonly value: number }[]): [number, number][] {
  const points: [number, number][] = [[0, start]];
  let current = start;
  for (const step of steps) {
    points.push([step.day, current]);
    if (step.value !== current) points.push([step.day, step.value]);
    current = step.value;
  }
  return points;
}

/**
 * The band as one closed outline: the upper bound forward, the lower bound back. Where a
 * bound is not estimable (before the first event, or once survival reaches 0) the band
 * closes onto the curve itself rather than inventing a width.
 */
export function bandPoints(series: CurveSeries): [number, number][] {
  const bound = (pick: (s: CurveStep) => number | null) => stepPoints(series.start, series.steps.map((s) => ({ day: s.day, value: pick(s) ?? s.value })));
  const upper = bound((s) => s.upper);
  const lower = bound((s) => s.lower);
  return [...upper, ...lower.reverse()];
}

/** Patients at risk on a day (time on or after it), read off the report's steps, which list every distinct time. */
export function atRiskAt(steps: readonly { readonly day: number; readonly atRisk: number }[], day: number): number {
  return atRiskOn(steps, lastStepAtOrBefore(steps, day), day);
}

export interface CurveGeometry {
  readonly width: number;
  readonly marginLeft: number;
  readonly marginRight: number;
  readonly plotTop: number;
  readonly plotHeight: number;
}

export const CURVE_GEOMETRY: CurveGeometry = { width: 760, marginLeft: 78, marginRight: 28, plotTop: 64, plotHeight: 300 };

export interface CurveLayout {
  readonly x: LinearScale;
  readonly y: LinearScale;
  readonly xTicks: readonly number[];
  readonly yTicks: readonly number[];
}

export function curveLayout(series: readonly CurveSeries[], yMax: number, geometry: CurveGeometry = CURVE_GEOMETRY): CurveLayout {
  let last = 0;
  for (const s of series) for (const step of s.steps) last = Math.max(last, step.day);
  const xTicks = niceTicks(0, Math.max(last, 30), 6);
  const x = linearScale([0, xTicks[xTicks.length - 1]], [geometry.marginLeft, geometry.width - geometry.marginRight]);
  const y = linearScale([0, yMax], [geometry.plotTop + geometry.plotHeight, geometry.plotTop]);
  const yTicks = niceTicks(0, yMax, 4).filter((t) => t <= yMax + 1e-9);
  return { x, y, xTicks, yTicks };
}

function pathOf(points: readonly [number, number][], x: LinearScale, y: LinearScale, close = false): string {
  return points.map(([d, v], i) => `${i === 0 ? 'M' : 'L'}${num(x(d))},${num(y(v))}`).join('') + (close ? 'Z' : '');
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function percent(value: number | null): string {
  return value === null ? 'NE' : `${(value * 100).toFixed(1)}%`;
}

export interface CurveFigure {
  readonly series: readonly CurveSeries[];
  readonly yMax: number;
  readonly yLabel: string;
  readonly xLabel: string;
  readonly heading: string;
  readonly caption: string;
  /** Extra marks on the plot (the median), drawn by the caller with the layout. */
  readonly annotate?: (layout: CurveLayout) => string[];
  /** At-risk rows: one per label, read off the steps given. */
  readonly atRisk: readonly { readonly key: string; readonly label: string; readonly steps: readonly { readonly day: number; readonly atRisk: number }[] }[];
  readonly idPrefix: string;
  readonly className: string;
  readonly description: string;
}

export function curveSvg(figure: CurveFigure, geometry: CurveGeometry = CURVE_GEOMETRY): string {
  const layout = curveLayout(figure.series, figure.yMax, geometry);
  const { x, y, xTicks, yTicks } = layout;
  const [left, right] = x.range;
  const bottom = geometry.plotTop + geometry.plotHeight;
  const parts: string[] = [];
  parts.push(el('text', { x: left, y: 20, 'font-size': 15, 'font-weight': 700 }, text(figure.heading)));

  // Axes, grid and tick labels.
  parts.push(
    el(
      'g',
      { class: 'y-axis' },
      yTicks.map((t) =>
        el(
          'g',
          { class: 'tick', 'data-value': t },
          el('line', { x1: left, x2: right, y1: y(t), y2: y(t), stroke: '#e0e0e0' }),
          el('text', { x: left - 8, y: y(t) + 4, 'text-anchor': 'end' }, text(`${Math.round(t * 100)}%`)),
        ),
      ),
      el('text', { transform: `translate(18,${num((geometry.plotTop + bottom) / 2)}) rotate(-90)`, 'text-anchor': 'middle', 'font-weight': 700 }, text(figure.yLabel)),
    ),
  );
  parts.push(
    el(
      'g',
      { class: 'x-axis' },
      el('line', { x1: left, x2: right, y1: bottom, y2: bottom, stroke: '#000000' }),
      el('line', { x1: left, x2: left, y1: geometry.plotTop, y2: bottom, stroke: '#000000' }),
      xTicks.map((t) =>
        el(
          'g',
          { class: 'tick', 'data-day': t },
          el('line', { x1: x(t), x2: x(t), y1: bottom, y2: bottom + 5, stroke: '#000000' }),
          el('text', { x: x(t), y: bottom + 18, 'text-anchor': 'middle' }, text(t)),
        ),
      ),
      el('text', { x: (left + right) / 2, y: bottom + 36, 'text-anchor': 'middle', 'font-weight': 700 }, text(figure.xLabel)),
    ),
  );

  for (const s of figure.series) {
    const points = stepPoints(s.start, s.steps);
    parts.push(
      el(
        'g',
        { class: 'series', 'data-series': s.key },
        el('path', { class: 'band', d: pathOf(bandPoints(s), x, y, true), fill: s.colour, 'fill-opacity': 0.18, stroke: 'none' }),
        el('path', { class: 'curve', d: pathOf(points, x, y), fill: 'none', stroke: s.colour, 'stroke-width': 2.25, 'stroke-dasharray': s.dash }, title(s.label)),
        s.steps
          .filter((step) => step.censored > 0)
          .map((step) =>
            el(
              'path',
              { class: 'censor', 'data-day': step.day, d: `M${num(x(step.day))},${num(y(step.value) - 5)}v10`, stroke: s.colour, 'stroke-width': 1.5 },
              title(`${s.label}: ${step.censored} censored on day ${step.day}, estimate ${percent(step.value)}`),
            ),
          ),
      ),
    );
  }
  if (figure.annotate) parts.push(...figure.annotate(layout));

  // Legend in a row between the heading and the plot, where no curve can run under it.
  const legend: { key: string; label: string; glyph: (x: number, y: number) => string }[] = figure.series.map((s) => ({
    key: s.key,
    label: s.label,
    glyph: (lx, ly) => el('line', { x1: lx, x2: lx + 30, y1: ly, y2: ly, stroke: s.colour, 'stroke-width': 2.25, 'stroke-dasharray': s.dash }),
  }));
  if (figure.series.some((s) => s.steps.some((step) => step.censored > 0))) {
    legend.push({ key: 'CENSOR', label: 'Censored', glyph: (lx, ly) => el('path', { d: `M${num(lx + 15)},${num(ly - 5)}v10`, stroke: '#000000', 'stroke-width': 1.5 }) });
  }
  let lx = left;
  for (const item of legend) {
    const ly = geometry.plotTop - 22;
    parts.push(el('g', { class: 'legend-item', 'data-legend': item.key }, item.glyph(lx, ly), el('text', { class: 'legend-label', x: lx + 36, y: ly + 4 }, text(item.label))));
    lx += 36 + item.label.length * CHAR_WIDTH + 24;
  }

  // Number at risk under the axis, at the axis ticks.
  let tableTop = bottom + 58;
  parts.push(el('text', { x: 8, y: tableTop, 'font-weight': 700 }, text('Number at risk')));
  for (const row of figure.atRisk) {
    tableTop += 18;
    parts.push(
      el(
        'g',
        { class: 'at-risk', 'data-series': row.key },
        el('text', { x: 8, y: tableTop }, text(row.label)),
        xTicks.map((t) => {
          const n = atRiskAt(row.steps, t);
          return el('text', { x: x(t), y: tableTop, 'text-anchor': 'middle', 'data-day': t, 'data-at-risk': n }, text(n));
        }),
      ),
    );
  }
  const caption = wrappedText(figure.caption, 8, tableTop + 28, geometry.width - 16, { class: 'caption', fill: '#333333' });
  parts.push(caption.markup);
  return svgDocument({
    width: geometry.width,
    height: tableTop + 28 + caption.height,
    title: `${figure.heading}. ${figure.caption}`,
    description: figure.description,
    idPrefix: figure.idPrefix,
    className: `figure ${figure.className}`,
    body: parts,
  });
}

const ENDPOINT_NAMES = { OS: 'Overall survival', PFS: 'Progression-free survival', GRFS: 'GVHD-free, relapse-free survival' } as const;
const ORIGIN_WORDS = { TRANSPLANT: 'Day 0 (stem cell infusion)', ENROLLMENT: 'enrollment' } as const;

/** Words for the active patient filters, for a caption: "diagnosis AML, relapsed true". */
export function filterWords(filters: Readonly<Record<string, unknown>>): string {
  const words = Object.entries(filters)
    .filter(([name, value]) => value !== undefined && value !== null && value !== '' && name !== 'asOf')
    .map(([name, value]) => `${name} ${String(value)}`);
  return words.length === 0 ? 'all enrolled patients' : words.join(', ');
}

function daysWithCi(median: SurvivalReport['median']): string {
  if (median.days === null) return 'not reached';
  return `${median.days} days (95% CI ${median.lower ?? 'NE'} to ${median.upper ?? 'NE'})`;
}

/** The Kaplan-Meier figure of one survival report. */
export function survivalSvg(report: SurvivalReport, filters: Readonly<Record<string, unknown>> = {}): string {
  const name = ENDPOINT_NAMES[report.endpoint];
  const series: CurveSeries = {
    key: report.endpoint,
    label: `${report.endpoint} (n=${report.n}, ${plural(report.events, 'event')})`,
    colour: OKABE_ITO.blue,
    start: 1,
    steps: report.steps.map((s) => ({ day: s.day, atRisk: s.atRisk, value: s.survival, lower: s.lower, upper: s.upper, censored: s.censored })),
  };
  const milestones = report.milestones.map((m) => `Day ${m.day}: ${percent(m.survival)} (95% CI ${percent(m.lower)} to ${percent(m.upper)}, ${m.atRisk} at risk)`).join('; ');
  const caption = `${name} from ${ORIGIN_WORDS[report.origin]}, Kaplan-Meier with 95% pointwise log-log CI; n=${report.n}, events=${report.events}, censored=${report.censored}; median ${daysWithCi(report.median)}. Data cut-off (as of) ${report.asOf}; ${filterWords(filters)}.`;
  return curveSvg({
    series: [series],
    yMax: 1,
    yLabel: `${report.endpoint} probability`,
    xLabel: `Days from ${ORIGIN_WORDS[report.origin]}`,
    heading: `${name} (${report.endpoint})`,
    caption,
    annotate: ({ x, y }) => {
      if (report.median.days === null) return [];
      const mx = x(report.median.days);
      return [
        el(
          'g',
          { class: 'median', 'data-day': report.median.days },
          el('path', { d: `M${num(x.range[0])},${num(y(0.5))}H${num(mx)}V${num(y(0))}`, fill: 'none', stroke: '#555555', 'stroke-dasharray': '4 3' }),
          el('text', { x: mx + 4, y: y(0.5) - 6 }, text(`median ${report.median.days} d`)),
        ),
      ];
    },
    atRisk: [{ key: report.endpoint, label: report.endpoint, steps: report.steps }],
    idPrefix: `survival-${report.endpoint.toLowerCase()}`,
    className: 'survival',
    description: `${caption} ${milestones}.`,
  });
}

/** The cumulative incidence figure: relapse and non-relapse mortality, each the other's competing risk. */
export function cumulativeIncidenceSvg(report: CumulativeIncidenceReport, filters: Readonly<Record<string, unknown>> = {}): string {
  const seriesOf = (key: string, label: string, colour: string, dash: string | undefined, cause: CumulativeIncidenceReport['relapse']): CurveSeries => ({
    key,
    label: `${label} (${plural(cause.events, 'event')})`,
    colour,
    dash,
    start: 0,
    steps: cause.steps.map((s) => ({ day: s.day, atRisk: s.atRisk, value: s.estimate, lower: s.lower, upper: s.upper, censored: 0 })),
  });
  const series = [
    seriesOf('RELAPSE', 'Relapse', OKABE_ITO.vermillion, undefined, report.relapse),
    seriesOf('NRM', 'Non-relapse mortality', OKABE_ITO.blue, '6 4', report.nonRelapseMortality),
  ];
  let highest = 0;
  for (const s of series) for (const step of s.steps) highest = Math.max(highest, step.upper ?? step.value, step.value);
  // The smallest of these that holds every estimate and band: small incidences stay readable.
  const yMax = [0.1, 0.2, 0.25, 0.5, 0.75, 1].find((m) => m >= highest) ?? 1;
  const at = (cause: CumulativeIncidenceReport['relapse'], day: number) => cause.milestones.find((m) => m.day === day);
  const milestones = [365, 730]
    .map((d) => `Day ${d}: relapse ${percent(at(report.relapse, d)?.estimate ?? null)}, NRM ${percent(at(report.nonRelapseMortality, d)?.estimate ?? null)}`)
    .join('; ');
  const caption = `Cumulative incidence (Aalen-Johansen) of relapse and non-relapse mortality from ${ORIGIN_WORDS[report.origin]}, 95% pointwise CI; n=${report.n}, relapses=${report.relapse.events}, NRM=${report.nonRelapseMortality.events}, censored=${report.censored}. Data cut-off (as of) ${report.asOf}; ${filterWords(filters)}.`;
  return curveSvg({
    series,
    yMax,
    yLabel: 'Cumulative incidence',
    xLabel: `Days from ${ORIGIN_WORDS[report.origin]}`,
    heading: 'Cumulative incidence of relapse and NRM',
    caption,
    // Both causes step on every distinct time with the same number at risk.
    atRisk: [{ key: 'ALL', label: 'All', steps: report.relapse.steps }],
    idPrefix: 'cumulative-incidence',
    className: 'cumulative-incidence',
    description: `${caption} ${milestones}.`,
  });
}
