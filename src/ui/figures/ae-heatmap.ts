/**
 * The AE heatmap: treatment-related AEs, category by worst CTCAE grade, one panel per
 * period the AE report returns (whatever periods those are). Built as an HTML table,
 * which assistive technology reads cell by cell; the shade repeats the percentage
 * printed in the cell, never replaces it.
 */
import type { AdverseEventReport } from '../../reports/adverse-event-report';
import { AE_CATEGORY_LABELS } from './palette';
import { escapeXml as escape } from './svg';

export interface HeatmapCell {
  readonly count: number;
  readonly denominator: number;
  /** count / denominator, null when the denominator is 0. */
  readonly share: number | null;
}

export interface HeatmapPanel {
  readonly period: string;
  readonly denominator: number;
  readonly definition: string;
  readonly rows: readonly { readonly key: string; readonly label: string; readonly grades: readonly HeatmapCell[]; readonly any: HeatmapCell }[];
}

const GRADES = ['1', '2', '3', '4', '5'] as const;

export function heatmapPanels(report: AdverseEventReport): HeatmapPanel[] {
  return report.treatmentRelated.periods.map((p) => {
    const n = p.denominator.patients;
    const cell = (count: number): HeatmapCell => ({ count, denominator: n, share: n === 0 ? null : count / n });
    const rowOf = (key: string, label: string, row: (typeof p)['anyCategory']) => ({
      key,
      label,
      grades: GRADES.map((g) => cell(row.byWorstGrade[g])),
      any: cell(row.patients),
    });
    return {
      period: p.period,
      denominator: n,
      definition: p.denominator.definition,
      rows: [...p.byCategory.map((c) => rowOf(c.category, AE_CATEGORY_LABELS[c.category] ?? c.category, c)), rowOf('ANY', 'Any category', p.anyCategory)],
    };
  });
}

/** A light-to-dark blue shade for a share 0..1 (white at 0), with text colour that stays readable on it. */
export function shadeOf(share: number | null): { readonly background: string; readonly color: string } {
  if (share === null || share === 0) return { background: '#ffffff', color: '#000000' };
  // From #deebf7 to #08306b (ColorBrewer Blues ends), by the share.
  const from = [0xde, 0xeb, 0xf7];
  const to = [0x08, 0x30, 0x6b];
  const t = Math.min(1, Math.max(0, share));
  const rgb = from.map((f, i) => Math.round(f + (to[i] - f) * t));
  return { background: `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`, color: t > 0.45 ? '#ffffff' : '#000000' };
}

const PERIOD_LABELS: Readonly<Record<string, string>> = {
  BRIDGING: 'Bridging (before Day 0)',
  CONDITIONING: 'Conditioning',
  DAY100_WINDOW: 'Day 0 to Day +100',
  LATER: 'After Day +100',
};

export function periodLabel(period: string): string {
  return PERIOD_LABELS[period] ?? period.toLowerCase().replace(/_/g, ' ');
}

function cellText(cell: HeatmapCell): string {
  return cell.share === null ? `${cell.count}` : `${cell.count} (${(cell.share * 100).toFixed(0)}%)`;
}

/** The heatmap as HTML: a table per period with its denominator in the caption. */
export function aeHeatmapHtml(report: AdverseEventReport): string {
  const panels = heatmapPanels(report);
  if (panels.length === 0) return '<p class="empty">The AE report returned no periods.</p>';
  return panels
    .map((panel) => {
      const head = `<tr><th scope="col">Category</th>${GRADES.map((g) => `<th scope="col">Grade ${g}</th>`).join('')}<th scope="col">Any grade</th></tr>`;
      const body = panel.rows
        .map((row) => {
          const cells = [...row.grades, row.any]
            .map((cell, i) => {
              const { background, color } = shadeOf(cell.share);
              const grade = i < GRADES.length ? GRADES[i] : 'any';
              return `<td data-grade="${grade}" data-count="${cell.count}" style="background:${background};color:${color}">${escape(cellText(cell))}</td>`;
            })
            .join('');
          return `<tr data-category="${escape(row.key)}"${row.key === 'ANY' ? ' class="total"' : ''}><th scope="row">${escape(row.label)}</th>${cells}</tr>`;
        })
        .join('');
      const caption = `${escape(periodLabel(panel.period))}: N = ${panel.denominator} (${escape(panel.definition)})`;
      return `<table class="heatmap" data-period="${escape(panel.period)}" data-denominator="${panel.denominator}"><caption>${caption}</caption><thead>${head}</thead><tbody>${body}</tbody></table>`;
    })
    .join('');
}
