import fc from 'fast-check';
import { effectiveHistory } from '../../domain/history/effective-history';
import { epochDayOf } from '../../domain/projection/epoch-day';
import { project } from '../../domain/projection/project';
import {
  aeReported,
  aeUpdated,
  arbJourney,
  asHistory,
  conditioningStarted,
  died,
  engrafted,
  enrolled,
  resetEventIds,
  stemCellsInfused,
  withdrawn,
} from '../../domain/testing/journey.fixtures';
import type { ClinicalEvent } from '../../domain/events/clinical-event';
import { axisDay, swimmerLayout, swimmerRowOf, swimmerSvg, SWIMMER_AXES } from './swimmer';

function recordOf(events: readonly ClinicalEvent[], asOf: string) {
  const record = project('SYN-T01', effectiveHistory(asHistory(events)), asOf, { revision: events.length - 1 });
  if (record === null) throw new Error('not enrolled');
  return record;
}

describe('swimmerRowOf', () => {
  beforeEach(() => resetEventIds());

  it('given a transplanted patient on study, then the bar runs to the as-of date with its phases, Day 0, engraftment and the AE at its worst grade', () => {
    const row = swimmerRowOf(
      recordOf(
        [
          enrolled('2026-01-05'),
          conditioningStarted('2026-02-01'),
          stemCellsInfused('2026-02-08'),
          engrafted('2026-02-20'),
          aeReported('2026-03-01', { aeId: 'AE-1', category: 'INFECTION', ctcaeGrade: 2 }),
          aeUpdated('2026-03-05', 'AE-1', { ctcaeGrade: 4 }),
        ],
        '2026-04-01',
      ),
    );
    expect(row.status).toBe('ON_STUDY');
    expect(row.end).toBe('2026-04-01');
    expect(row.phases.map((p) => p.phase)).toEqual(['ENROLLED', 'CONDITIONING', 'EARLY_POST_TRANSPLANT']);
    expect(row.phases[row.phases.length - 1].to).toBe('2026-04-01');
    expect(row.window).toEqual({ start: '2026-02-08', end: '2026-05-19' });
    expect(row.markers.map((m) => [m.kind, m.date])).toEqual([
      ['DAY0', '2026-02-08'],
      ['ENGRAFTMENT', '2026-02-20'],
      ['AE', '2026-03-01'],
    ]);
    expect(row.markers[2]).toMatchObject({ category: 'INFECTION', grade: 4 });
  });

  it('given a death, then the bar ends on the day of death with a death marker and no arrow', () => {
    const row = swimmerRowOf(recordOf([enrolled('2026-01-05'), stemCellsInfused('2026-02-08'), died('2026-03-01', { cause: 'INFECTION' })], '2026-06-01'));
    expect(row.status).toBe('DIED');
    expect(row.end).toBe('2026-03-01');
    expect(row.markers.at(-1)).toEqual({ kind: 'DEATH', date: '2026-03-01', detail: 'INFECTION' });
    expect(swimmerSvg([row], { axis: 'DAY0', asOf: '2026-06-01' })).not.toContain('class="ongoing"');
  });

  it('given a withdrawal before Day 0, then there is no window, a withdrawal marker, and on the Day 0 axis the row says so in words', () => {
    const row = swimmerRowOf(recordOf([enrolled('2026-01-05'), withdrawn('2026-01-20', 'LOST_TO_FOLLOW_UP')], '2026-06-01'));
    expect(row.status).toBe('WITHDRAWN');
    expect(row.window).toBeNull();
    expect(row.markers).toEqual([{ kind: 'WITHDRAWAL', date: '2026-01-20', detail: 'LOST_TO_FOLLOW_UP' }]);
    const layout = swimmerLayout([row], 'DAY0');
    expect(layout.rows[0].placed).toBe(false);
    expect(swimmerSvg([row], { axis: 'DAY0', asOf: '2026-06-01' })).toContain('No Day 0: withdrawn');
    expect(swimmerLayout([row], 'ENROLLMENT').rows[0].placed).toBe(true);
  });

  it('given any journey and any axis, then phases are contiguous inside the bar and every marker is drawn where its date falls', () => {
    fc.assert(
      fc.property(arbJourney(), fc.constantFrom(...SWIMMER_AXES), (journey, axis) => {
        const record = recordOf(journey.events, journey.lastDate);
        const row = swimmerRowOf(record);
        expect(row.markers.filter((m) => m.kind === 'AE')).toHaveLength(record.adverseEvents.length);
        // The next phase starts the day after, or the same day when a phase was entered and left on one day.
        for (let i = 1; i < row.phases.length; i++) expect(epochDayOf(row.phases[i].from) - epochDayOf(row.phases[i - 1].to)).toBeGreaterThanOrEqual(row.phases[i - 1].from === row.phases[i - 1].to ? 0 : 1);
        for (let i = 1; i < row.phases.length; i++) expect(epochDayOf(row.phases[i].from) - epochDayOf(row.phases[i - 1].to)).toBeLessThanOrEqual(1);
        for (const p of row.phases) {
          expect(p.from <= p.to).toBe(true);
          expect(p.to <= row.end).toBe(true);
        }
        const layout = swimmerLayout([row], axis);
        const placed = layout.rows[0];
        expect(placed.placed).toBe(axis !== 'DAY0' || row.day0 !== null);
        if (!placed.placed) return;
        const [left, right] = layout.x.range;
        for (const m of placed.markers) {
          expect(m.day).toBe(axisDay(row, m.marker.date, axis));
          expect(m.x).toBeCloseTo(layout.x(m.day), 9);
          expect(m.x).toBeGreaterThanOrEqual(left - 1e-9);
          expect(m.x).toBeLessThanOrEqual(right + 1e-9);
        }
        placed.segments.forEach((s, i) => {
          expect(s.x1).toBeGreaterThanOrEqual(s.x0);
          if (i > 0) expect(placed.segments[i - 1].x1).toBeCloseTo(s.x0, 9);
        });
        if (axis === 'DAY0') expect(placed.markers.find((m) => m.marker.kind === 'DAY0')?.day).toBe(0);
      }),
      { numRuns: 150 },
    );
  });
});

describe('swimmerSvg', () => {
  beforeEach(() => resetEventIds());

  it('given rows, then there is one focusable row per patient on the page, a legend for every mark, and a caption with the cut-off and the page', () => {
    const rows = ['2026-01-05', '2026-01-12'].map((on) => swimmerRowOf(recordOf([enrolled(on), stemCellsInfused('2026-02-10')], '2026-03-01')));
    const svg = swimmerSvg(rows, { axis: 'DAY0', asOf: '2026-03-01', offset: 50, total: 120, interactive: true });
    expect(svg.match(/class="swimmer-row"/g)).toHaveLength(2);
    expect(svg.match(/tabindex="0"/g)).toHaveLength(2);
    for (const key of ['phase-ENROLLED', 'ae-ACUTE_GVHD', 'ae-OTHER', 'grade-1', 'grade-5', 'DAY0', 'ENGRAFTMENT', 'RELAPSE', 'DEATH', 'WITHDRAWAL', 'ONGOING', 'WINDOW']) {
      expect(svg).toContain(`data-legend="${key}"`);
    }
    expect(svg).toContain('Swimmer plot, patients 51-52 of 120. Data cut-off (as of) 2026-03-01.');
  });

  it('given a figure file, then rows are not focusable and the SVG is an image with a title and a description naming each patient', () => {
    const rows = [swimmerRowOf(recordOf([enrolled('2026-01-05')], '2026-03-01'))];
    const svg = swimmerSvg(rows, { axis: 'CALENDAR', asOf: '2026-03-01' });
    expect(svg).not.toContain('tabindex');
    expect(svg).toContain('role="img"');
    expect(svg).toMatch(/<desc id="swimmer-desc">[^<]*SYN-T01, AML, enrolled 2026-01-05, still on study/);
  });
});
