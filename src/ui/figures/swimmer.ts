/**
 * The swimmer plot: one bar per patient on a day axis, a segment per protocol phase,
 * markers for the milestones and every AE. `swimmerRowOf` turns a derived record (or a
 * read-model summary with its AEs) into the plot's plain row; `swimmerLayout` places the
 * rows; `swimmerSvg` draws them. The server's figure file and the web page call the same
 * three functions.
 */
import type { AeCategory, ClinicalDate } from '../../domain/events/clinical-event';
import { AE_CATEGORIES } from '../../domain/events/clinical-event';
import { dateOfEpochDay, epochDayOf } from '../../domain/projection/epoch-day';
import type { PatientRecord, Phase } from '../../domain/projection/patient-record';
import { PHASES } from '../../domain/projection/patient-record';
import { AE_CATEGORY_LABELS, GRADE_FILLS, OKABE_ITO, PHASE_COLOURS, PHASE_LABELS, categoryShape, circlePath, gradeFill } from './palette';
import { calendarTicks, dayLabel, linearScale, niceTicks, type LinearScale } from './scale';
import { el, num, svgDocument, text, title, wrappedText } from './svg';

/** What a row is drawn from: a record, or a read-model summary with its AEs (both carry these fields). */
export interface SwimmerSource {
  readonly subjectId: string;
  readonly asOf: ClinicalDate;
  readonly enrolledOn: ClinicalDate;
  readonly day0: ClinicalDate | null;
  readonly diagnosis: { readonly type: string };
  readonly phaseHistory: PatientRecord['phaseHistory'];
  readonly offStudy: PatientRecord['offStudy'];
  readonly death: PatientRecord['death'];
  readonly relapse: PatientRecord['relapse'];
  readonly engraftment: PatientRecord['engraftment'];
  readonly day100Window: PatientRecord['day100Window'];
  readonly adverseEvents: readonly {
    readonly aeId: string;
    readonly term: string;
    readonly category: AeCategory;
    readonly onset: ClinicalDate;
    readonly worstCtcaeGrade: number;
    readonly serious: boolean;
    readonly treatmentRelated: boolean;
  }[];
}

export type SwimmerMarker =
  | { readonly kind: 'DAY0'; readonly date: ClinicalDate }
  | { readonly kind: 'ENGRAFTMENT'; readonly date: ClinicalDate; readonly lineage: 'NEUTROPHIL' | 'PLATELET' }
  | {
      readonly kind: 'AE';
      readonly date: ClinicalDate;
      readonly aeId: string;
      readonly term: string;
      readonly category: AeCategory;
      readonly grade: number;
      readonly serious: boolean;
      readonly treatmentRelated: boolean;
    }
  | { readonly kind: 'RELAPSE'; readonly date: ClinicalDate; readonly detail: string }
  | { readonly kind: 'DEATH'; readonly date: ClinicalDate; readonly detail: string }
  | { readonly kind: 'WITHDRAWAL'; readonly date: ClinicalDate; readonly detail: string };

export type SwimmerStatus = 'ON_STUDY' | 'COMPLETED' | 'DIED' | 'WITHDRAWN';

/** One patient's bar: plain data, the JSON of `GET /v1/reports/swimmer`. */
export interface SwimmerRow {
  readonly subjectId: string;
  readonly diagnosis: string;
  readonly asOf: ClinicalDate;
  readonly enrolledOn: ClinicalDate;
  readonly day0: ClinicalDate | null;
  /** Last day of the bar, inclusive: the as-of date while on study, else the day the patient left or completed. */
  readonly end: ClinicalDate;
  readonly status: SwimmerStatus;
  /** Protocol phases in order, each ending on or before `end` (inclusive dates). */
  readonly phases: readonly { readonly phase: Phase; readonly from: ClinicalDate; readonly to: ClinicalDate }[];
  /** The day-100 window (Day 0 to Day +100), when there is a Day 0. */
  readonly window: { readonly start: ClinicalDate; readonly end: ClinicalDate } | null;
  readonly markers: readonly SwimmerMarker[];
}

/** `GET /v1/reports/swimmer`: a page of the patient list as swimmer rows. */
export interface SwimmerPage {
  readonly asOf: ClinicalDate;
  readonly recordedBefore: string | null;
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
  readonly rows: readonly SwimmerRow[];
}

export function swimmerRowOf(source: SwimmerSource): SwimmerRow {
  const completed = source.phaseHistory.find((span) => span.phase === 'COMPLETED');
  const status: SwimmerStatus = source.offStudy ? (source.offStudy.reason === 'DIED' ? 'DIED' : 'WITHDRAWN') : completed ? 'COMPLETED' : 'ON_STUDY';
  // Completion is a date, not a stay: the bar ends on the last day of follow-up.
  const end = source.offStudy ? source.offStudy.date : completed ? previousDate(completed.from) : source.asOf;
  const phases: { phase: Phase; from: ClinicalDate; to: ClinicalDate }[] = [];
  for (const span of source.phaseHistory) {
    if (span.phase === 'OFF_STUDY' || span.phase === 'COMPLETED' || span.from > end) continue;
    const to = span.to === null || span.to > end ? end : span.to;
    phases.push({ phase: span.phase, from: span.from, to });
  }
  const markers: SwimmerMarker[] = [];
  if (source.day0 !== null) markers.push({ kind: 'DAY0', date: source.day0 });
  if (source.engraftment.neutrophil !== null) markers.push({ kind: 'ENGRAFTMENT', date: source.engraftment.neutrophil, lineage: 'NEUTROPHIL' });
  if (source.engraftment.platelet !== null) markers.push({ kind: 'ENGRAFTMENT', date: source.engraftment.platelet, lineage: 'PLATELET' });
  for (const ae of source.adverseEvents) {
    markers.push({
      kind: 'AE',
      date: ae.onset,
      aeId: ae.aeId,
      term: ae.term,
      category: ae.category,
      grade: ae.worstCtcaeGrade,
      serious: ae.serious,
      treatmentRelated: ae.treatmentRelated,
    });
  }
  if (source.relapse !== null) markers.push({ kind: 'RELAPSE', date: source.relapse.date, detail: source.relapse.kind });
  if (source.offStudy?.reason === 'WITHDRAWN') markers.push({ kind: 'WITHDRAWAL', date: source.offStudy.date, detail: source.offStudy.detail });
  if (source.death !== null) markers.push({ kind: 'DEATH', date: source.death.date, detail: source.death.cause });
  // Stable order: by date, then by the order pushed (sort is stable).
  markers.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const { start, end: windowEnd } = source.day100Window;
  return {
    subjectId: source.subjectId,
    diagnosis: source.diagnosis.type,
    asOf: source.asOf,
    enrolledOn: source.enrolledOn,
    day0: source.day0,
    end,
    status,
    phases,
    window: start !== null && windowEnd !== null ? { start, end: windowEnd } : null,
    markers,
  };
}

function previousDate(date: ClinicalDate): ClinicalDate {
  return dateOfEpochDay(epochDayOf(date) - 1);
}

/** Where day 0 of the axis is: each patient's Day 0, each patient's enrollment, or the calendar. */
export const SWIMMER_AXES = ['DAY0', 'ENROLLMENT', 'CALENDAR'] as const;
export type SwimmerAxis = (typeof SWIMMER_AXES)[number];

/** The axis value of a date on the row: days from Day 0 or enrollment, or the epoch day; null without Day 0 on a Day 0 axis. */
export function axisDay(row: SwimmerRow, date: ClinicalDate, axis: SwimmerAxis): number | null {
  switch (axis) {
    case 'DAY0':
      return row.day0 === null ? null : epochDayOf(date) - epochDayOf(row.day0);
    case 'ENROLLMENT':
      return epochDayOf(date) - epochDayOf(row.enrolledOn);
    case 'CALENDAR':
      return epochDayOf(date);
    default: {
      const unknown: never = axis;
      throw new Error(`unknown axis ${String(unknown)}`);
    }
  }
}

export interface SwimmerGeometry {
  readonly width: number;
  readonly rowHeight: number;
  readonly barHeight: number;
  readonly marginLeft: number;
  readonly marginRight: number;
  readonly marginTop: number;
}

export const SWIMMER_GEOMETRY: SwimmerGeometry = { width: 960, rowHeight: 26, barHeight: 10, marginLeft: 150, marginRight: 28, marginTop: 44 };

export interface PlacedMarker {
  readonly marker: SwimmerMarker;
  /** Axis value (days) and pixel position. */
  readonly day: number;
  readonly x: number;
}

export interface RowLayout {
  readonly row: SwimmerRow;
  readonly y: number;
  /** False on a Day 0 axis for a patient without Day 0: the row says so in words instead of a bar. */
  readonly placed: boolean;
  readonly segments: readonly { readonly phase: Phase; readonly from: ClinicalDate; readonly to: ClinicalDate; readonly x0: number; readonly x1: number }[];
  readonly window: { readonly x0: number; readonly x1: number } | null;
  readonly markers: readonly PlacedMarker[];
  /** The bar's right end; the arrow's base for a patient still on study. */
  readonly endX: number;
}

export interface SwimmerLayout {
  readonly axis: SwimmerAxis;
  readonly x: LinearScale;
  readonly ticks: readonly { readonly day: number; readonly x: number; readonly label: string }[];
  readonly rows: readonly RowLayout[];
  readonly plotTop: number;
  readonly plotBottom: number;
  readonly geometry: SwimmerGeometry;
}

/**
 * Places the rows top to bottom in the given order. A day d covers [d, d + 1) on the
 * axis, so consecutive phases meet without a gap and a marker sits at the start of its day.
 */
export function swimmerLayout(rows: readonly SwimmerRow[], axis: SwimmerAxis, geometry: SwimmerGeometry = SWIMMER_GEOMETRY): SwimmerLayout {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  const extend = (day: number | null) => {
    if (day === null) return;
    if (day < lo) lo = day;
    if (day > hi) hi = day;
  };
  for (const row of rows) {
    extend(axisDay(row, row.enrolledOn, axis));
    const end = axisDay(row, row.end, axis);
    extend(end === null ? null : end + 1);
    for (const marker of row.markers) extend(axisDay(row, marker.date, axis));
  }
  if (axis === 'DAY0') {
    extend(0);
    extend(101);
  }
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = axis === 'CALENDAR' ? 1 : 101;
  }
  const pad = Math.max(1, (hi - lo) * 0.02);
  const range: [number, number] = [geometry.marginLeft, geometry.width - geometry.marginRight];
  let x: LinearScale;
  let ticks: { day: number; x: number; label: string }[];
  if (axis === 'CALENDAR') {
    x = linearScale([lo - pad, hi + pad], range);
    ticks = calendarTicks(Math.ceil(lo - pad), Math.floor(hi + pad), 8).map((t) => ({ day: t.day, x: x(t.day), label: t.label }));
  } else {
    const days = niceTicks(lo - pad, hi + pad, 8);
    x = linearScale([days[0], days[days.length - 1]], range);
    ticks = days.map((day) => ({ day, x: x(day), label: dayLabel(day) }));
  }
  const plotTop = geometry.marginTop;
  const placedRows = rows.map((row, i): RowLayout => {
    const y = plotTop + i * geometry.rowHeight + geometry.rowHeight / 2;
    const at = (date: ClinicalDate) => axisDay(row, date, axis);
    const start = at(row.enrolledOn);
    const end = at(row.end);
    if (start === null || end === null) return { row, y, placed: false, segments: [], window: null, markers: [], endX: range[0] };
    // A phase entered and left on one day ends where the next begins: it is a sliver, not a day.
    const segments = row.phases.map((p, k) => {
      const next = row.phases[k + 1];
      return { phase: p.phase, from: p.from, to: p.to, x0: x(at(p.from)!), x1: x(next !== undefined && next.from === p.to ? at(next.from)! : at(p.to)! + 1) };
    });
    const window = row.window === null ? null : { x0: x(at(row.window.start)!), x1: x(at(row.window.end)! + 1) };
    const markers = row.markers.map((marker) => {
      const day = at(marker.date)!;
      return { marker, day, x: x(day) };
    });
    return { row, y, placed: true, segments, window, markers, endX: x(end + 1) };
  });
  return { axis, x, ticks, rows: placedRows, plotTop, plotBottom: plotTop + rows.length * geometry.rowHeight, geometry };
}

export interface SwimmerFigureOptions {
  readonly axis: SwimmerAxis;
  readonly asOf: ClinicalDate;
  readonly recordedBefore?: string | null;
  /** Rows shown and the cohort's size, for the caption when the plot is one page of many. */
  readonly offset?: number;
  readonly total?: number;
  /** Focusable rows for the web page; a figure file has none. */
  readonly interactive?: boolean;
  readonly idPrefix?: string;
}

const AXIS_TITLES: Readonly<Record<SwimmerAxis, string>> = {
  DAY0: 'Days from Day 0 (stem cell infusion)',
  ENROLLMENT: 'Days from enrollment',
  CALENDAR: 'Calendar date',
};

/** Words for a marker: the hover text on the page and the text alternative of the figure. */
export function markerText(marker: SwimmerMarker): string {
  switch (marker.kind) {
    case 'DAY0':
      return 'Day 0: stem cell infusion';
    case 'ENGRAFTMENT':
      return marker.lineage === 'NEUTROPHIL' ? 'Neutrophil engraftment' : 'Platelet engraftment';
    case 'AE':
      return `AE ${marker.aeId}: ${marker.term} (${AE_CATEGORY_LABELS[marker.category]}), worst CTCAE grade ${marker.grade}${marker.serious ? ', serious' : ''}${marker.treatmentRelated ? ', treatment-related' : ''}`;
    case 'RELAPSE':
      return `Relapse (${marker.detail.toLowerCase()})`;
    case 'DEATH':
      return `Death (${marker.detail.toLowerCase().replace(/_/g, ' ')})`;
    case 'WITHDRAWAL':
      return `Withdrawal (${marker.detail.toLowerCase().replace(/_/g, ' ')})`;
    default: {
      const unknown: never = marker;
      throw new Error(`unknown marker ${String(unknown)}`);
    }
  }
}

const STATUS_TEXT: Readonly<Record<SwimmerStatus, string>> = {
  ON_STUDY: 'still on study',
  COMPLETED: 'completed the study',
  DIED: 'died',
  WITHDRAWN: 'withdrawn',
};

function whenText(row: SwimmerRow, date: ClinicalDate): string {
  const day = axisDay(row, date, 'DAY0');
  return day === null ? date : `Day ${dayLabel(day)} (${date})`;
}

/** The row's accessible name: who, and what happened when. */
export function rowText(row: SwimmerRow): string {
  const events = row.markers.map((m) => `${markerText(m)} on ${whenText(row, m.date)}`);
  return `${row.subjectId}, ${row.diagnosis}, enrolled ${row.enrolledOn}, ${STATUS_TEXT[row.status]} (bar to ${row.end})${events.length > 0 ? `; ${events.join('; ')}` : ''}`;
}

const MARKER_RADIUS = 5.5;

function markerGlyph(marker: SwimmerMarker): string {
  const r = MARKER_RADIUS;
  switch (marker.kind) {
    case 'DAY0':
      return el('path', { d: `M0,${-r - 3}V${r + 3}`, stroke: OKABE_ITO.black, 'stroke-width': 3 });
    case 'ENGRAFTMENT':
      // An open or filled upward chevron: N(eutrophil) and P(latelet) also by letter.
      return (
        el('path', { d: `M${-r},${r * 0.6}L0,${-r}L${r},${r * 0.6}`, fill: 'none', stroke: OKABE_ITO.black, 'stroke-width': 2 }) +
        el('text', { y: -r - 2, 'text-anchor': 'middle', 'font-size': 9, 'font-weight': 700 }, text(marker.lineage === 'NEUTROPHIL' ? 'N' : 'P'))
      );
    case 'AE':
      return el('path', {
        d: categoryShape(marker.category, r),
        fill: gradeFill(marker.grade),
        stroke: OKABE_ITO.black,
        'stroke-width': marker.serious ? 2 : 1,
      });
    case 'RELAPSE':
      return (
        el('path', { d: circlePath(r + 1), fill: '#ffffff', stroke: OKABE_ITO.vermillion, 'stroke-width': 2 }) +
        el('text', { y: 3.5, 'text-anchor': 'middle', 'font-size': 9, 'font-weight': 700, fill: OKABE_ITO.vermillion }, text('R'))
      );
    case 'DEATH':
      return el('path', { d: `M${-r},${-r}L${r},${r}M${-r},${r}L${r},${-r}`, stroke: OKABE_ITO.black, 'stroke-width': 3 });
    case 'WITHDRAWAL':
      return el('path', { d: `M${-2},${-r - 2}V${r + 2}M${-2},${-r - 2}H${-r}M${-2},${r + 2}H${-r}`, fill: 'none', stroke: OKABE_ITO.black, 'stroke-width': 2.5 });
    default: {
      const unknown: never = marker;
      throw new Error(`unknown marker ${String(unknown)}`);
    }
  }
}

interface LegendItem {
  readonly key: string;
  readonly label: string;
  readonly glyph: string;
}

export function swimmerLegendItems(): { readonly heading: string; readonly items: readonly LegendItem[] }[] {
  const swatch = (fill: string) => el('rect', { x: -8, y: -5, width: 16, height: 10, fill, stroke: '#555555', 'stroke-width': 0.5 });
  return [
    {
      heading: 'Protocol phase (bar)',
      items: PHASES.filter((p) => p !== 'OFF_STUDY' && p !== 'COMPLETED').map((p) => ({ key: `phase-${p}`, label: PHASE_LABELS[p], glyph: swatch(PHASE_COLOURS[p]) })),
    },
    {
      heading: 'Adverse event (shape: category; thick outline: serious)',
      items: AE_CATEGORIES.map((c) => ({
        key: `ae-${c}`,
        label: AE_CATEGORY_LABELS[c],
        glyph: el('path', { d: categoryShape(c, MARKER_RADIUS), fill: '#ffffff', stroke: OKABE_ITO.black }),
      })),
    },
    {
      heading: 'Worst CTCAE grade (fill)',
      items: GRADE_FILLS.map((fill, i) => ({ key: `grade-${i + 1}`, label: `Grade ${i + 1}`, glyph: el('path', { d: circlePath(MARKER_RADIUS), fill, stroke: OKABE_ITO.black }) })),
    },
    {
      heading: 'Milestones (engraftment: N neutrophil, P platelet)',
      items: [
        { key: 'DAY0', label: 'Day 0 (stem cell infusion)', glyph: markerGlyph({ kind: 'DAY0', date: '' }) },
        { key: 'ENGRAFTMENT', label: 'Engraftment (N, P)', glyph: markerGlyph({ kind: 'ENGRAFTMENT', date: '', lineage: 'NEUTROPHIL' }) },
        { key: 'RELAPSE', label: 'Relapse', glyph: markerGlyph({ kind: 'RELAPSE', date: '', detail: '' }) },
        { key: 'DEATH', label: 'Death', glyph: markerGlyph({ kind: 'DEATH', date: '', detail: '' }) },
        { key: 'WITHDRAWAL', label: 'Withdrawal', glyph: markerGlyph({ kind: 'WITHDRAWAL', date: '', detail: '' }) },
        { key: 'ONGOING', label: 'Still on study', glyph: el('path', { d: 'M-6,-6L6,0L-6,6Z', fill: OKABE_ITO.black }) },
        { key: 'WINDOW', label: 'Day-100 window', glyph: el('rect', { x: -8, y: -8, width: 16, height: 16, fill: WINDOW_FILL }) },
      ],
    },
  ];
}

const WINDOW_FILL = '#e8e8e8';

/** Legend block: headed groups of items in columns, starting at y; returns the markup and its height. */
export function legendBlock(groups: ReturnType<typeof swimmerLegendItems>, top: number, left: number, width: number): { markup: string; height: number } {
  const columnWidth = 235;
  const columns = Math.max(1, Math.floor((width - left) / columnWidth));
  let y = top;
  const parts: string[] = [];
  for (const group of groups) {
    parts.push(el('text', { x: left, y: y + 12, 'font-weight': 700 }, text(group.heading)));
    y += 20;
    group.items.forEach((item, i) => {
      const cx = left + (i % columns) * columnWidth + 10;
      const cy = y + Math.floor(i / columns) * 20 + 8;
      parts.push(
        el(
          'g',
          { class: 'legend-item', 'data-legend': item.key, transform: `translate(${num(cx)},${num(cy)})` },
          item.glyph,
          el('text', { class: 'legend-label', x: 16, y: 4 }, text(item.label)),
        ),
      );
    });
    y += Math.ceil(group.items.length / columns) * 20 + 6;
  }
  return { markup: el('g', { class: 'legend' }, parts), height: y - top };
}

export function swimmerCaption(options: SwimmerFigureOptions, shown: number): string {
  const total = options.total ?? shown;
  const offset = options.offset ?? 0;
  const which = shown === total ? `${total} patient${total === 1 ? '' : 's'}` : `patients ${shown === 0 ? 0 : offset + 1}-${offset + shown} of ${total}`;
  const known = options.recordedBefore ? `, as recorded before ${options.recordedBefore}` : '';
  return `Swimmer plot, ${which}. Data cut-off (as of) ${options.asOf}${known}. ${AXIS_TITLES[options.axis]}.`;
}

/** The whole figure as SVG text. */
export function swimmerSvg(rows: readonly SwimmerRow[], options: SwimmerFigureOptions, geometry: SwimmerGeometry = SWIMMER_GEOMETRY): string {
  const layout = swimmerLayout(rows, options.axis, geometry);
  const { x, plotTop, plotBottom } = layout;
  const [left, right] = x.range;
  const prefix = options.idPrefix ?? 'swimmer';
  const interactive = options.interactive === true;
  const parts: string[] = [];

  // Axis at the top, where a long page of rows still shows it.
  parts.push(el('text', { x: (left + right) / 2, y: 14, 'text-anchor': 'middle', 'font-weight': 700 }, text(AXIS_TITLES[options.axis])));
  const grid = layout.ticks.map((t) =>
    el(
      'g',
      { class: 'tick', 'data-day': t.day },
      el('line', { x1: t.x, x2: t.x, y1: plotTop - 6, y2: plotBottom, stroke: '#d0d0d0', 'stroke-width': t.day === 0 && options.axis !== 'CALENDAR' ? 1.5 : 0.75 }),
      el('text', { x: t.x, y: plotTop - 10, 'text-anchor': 'middle' }, text(t.label)),
    ),
  );
  parts.push(el('g', { class: 'axis' }, grid));

  const barHalf = geometry.barHeight / 2;
  const rowHalf = geometry.rowHeight / 2;
  for (const [index, placed] of layout.rows.entries()) {
    const { row, y } = placed;
    const body: string[] = [title(rowText(row))];
    if (index % 2 === 1) body.push(el('rect', { x: 0, y: y - rowHalf, width: geometry.width, height: geometry.rowHeight, fill: '#f7f7f7' }));
    body.push(el('text', { x: 8, y: y + 4, 'font-weight': 600 }, text(row.subjectId)));
    body.push(el('text', { x: 72, y: y + 4, fill: '#444444' }, text(row.diagnosis)));
    if (!placed.placed) {
      body.push(el('text', { x: left + 4, y: y + 4, 'font-style': 'italic', fill: '#444444', class: 'no-day0' }, text(`No Day 0: ${STATUS_TEXT[row.status]} (enrolled ${row.enrolledOn}, bar to ${row.end}); switch to enrollment or calendar axis to see it`)));
    } else {
      if (placed.window) {
        body.push(el('rect', { class: 'window', x: placed.window.x0, y: y - rowHalf + 1, width: placed.window.x1 - placed.window.x0, height: geometry.rowHeight - 2, fill: WINDOW_FILL }));
      }
      for (const s of placed.segments) {
        body.push(
          el(
            'rect',
            { class: 'phase', 'data-phase': s.phase, x: s.x0, y: y - barHalf, width: Math.max(0.5, s.x1 - s.x0), height: geometry.barHeight, fill: PHASE_COLOURS[s.phase] },
            title(`${row.subjectId}: ${PHASE_LABELS[s.phase]}, ${s.from} to ${s.to}`),
          ),
        );
      }
      if (row.status === 'ON_STUDY') {
        body.push(el('path', { class: 'ongoing', d: `M${num(placed.endX + 1)},${num(y - 6)}L${num(placed.endX + 11)},${num(y)}L${num(placed.endX + 1)},${num(y + 6)}Z`, fill: OKABE_ITO.black }, title(`${row.subjectId}: still on study as of ${row.asOf}`)));
      }
      for (const m of placed.markers) {
        body.push(
          el(
            'g',
            {
              class: 'marker',
              'data-kind': m.marker.kind,
              'data-day': m.day,
              'data-date': m.marker.date,
              ...(m.marker.kind === 'AE' ? { 'data-category': m.marker.category, 'data-grade': m.marker.grade } : {}),
              transform: `translate(${num(m.x)},${num(y)})`,
            },
            title(`${row.subjectId}: ${markerText(m.marker)}, ${whenText(row, m.marker.date)}`),
            markerGlyph(m.marker),
          ),
        );
      }
    }
    parts.push(
      el(
        'g',
        {
          class: 'swimmer-row',
          'data-subject': row.subjectId,
          ...(interactive ? { tabindex: 0, role: 'link', 'aria-label': `${rowText(row)}. Press Enter to open the patient.` } : {}),
        },
        body,
      ),
    );
  }

  const caption = swimmerCaption(options, rows.length);
  const legend = legendBlock(swimmerLegendItems(), plotBottom + 16, 8, geometry.width);
  parts.push(legend.markup);
  const captionY = plotBottom + 16 + legend.height + 16;
  const captionText = wrappedText(caption, 8, captionY, geometry.width - 16, { class: 'caption', fill: '#333333' });
  parts.push(captionText.markup);
  const description = `${caption} One bar per patient, coloured by protocol phase, with markers for Day 0, engraftment, adverse events, relapse, death and withdrawal. ${rows.map(rowText).join('. ')}`;
  return svgDocument({
    width: geometry.width,
    height: captionY + captionText.height,
    title: caption,
    description,
    idPrefix: prefix,
    className: 'figure swimmer',
    role: interactive ? 'group' : 'img',
    body: parts,
  });
}
