/** Linear scales and axis ticks for the figures: pure arithmetic, tested in scale.spec.ts. */
import { dateOfEpochDay, epochDayOf } from '../../domain/projection/epoch-day';

export interface LinearScale {
  (value: number): number;
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
}

/** Maps [d0, d1] onto [r0, r1]; a one-point domain maps to the range's middle. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  const scale = (value: number) => (span === 0 ? (r0 + r1) / 2 : r0 + ((value - d0) / span) * (r1 - r0));
  return Object.assign(scale, { domain, range });
}

/**
 * The step of 1, 2 or 5 times a power of ten nearest (on a log scale) to `span / count`,
 * the rule of d3-array's tickIncrement: about `count` intervals over the span.
 */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !(count > 0)) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction >= Math.sqrt(50) ? 10 : fraction >= Math.sqrt(10) ? 5 : fraction >= Math.sqrt(2) ? 2 : 1;
  return nice * power;
}

/** Multiples of a nice step from the first at or below `from` to the first at or above `to`. */
export function niceTicks(from: number, to: number, count: number): number[] {
  const step = niceStep(to - from, count);
  const first = Math.floor(from / step) * step;
  const last = Math.ceil(to / step) * step;
  const ticks: number[] = [];
  // Integer multiples, so 0.1 + 0.2 never shows up as a tick label.
  for (let k = Math.round(first / step); k <= Math.round(last / step); k++) ticks.push(round(k * step));
  return ticks.length > 0 ? ticks : [from];
}

function round(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}

const MONTH_STEPS = [1, 2, 3, 6, 12, 24, 60] as const;

/**
 * Ticks on a calendar axis of epoch days: the first day of every month, or of every
 * second, third, sixth or twelfth month, about `count` of them between the two days.
 */
export function calendarTicks(fromDay: number, toDay: number, count: number): { readonly day: number; readonly label: string }[] {
  if (toDay < fromDay) return [];
  const months = (toDay - fromDay) / 30.44;
  const step = MONTH_STEPS.find((s) => months / s <= count) ?? 120;
  const start = dateOfEpochDay(fromDay);
  let year = Number(start.slice(0, 4));
  let month = Number(start.slice(5, 7));
  // Back to a month the step divides (January for yearly steps), at or before the start.
  month -= (month - 1) % Math.min(step, 12);
  const ticks: { day: number; label: string }[] = [];
  for (;;) {
    const date = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-01`;
    const day = epochDayOf(date);
    if (day > toDay) break;
    if (day >= fromDay) ticks.push({ day, label: step >= 12 ? date.slice(0, 4) : date.slice(0, 7) });
    month += step;
    while (month > 12) {
      month -= 12;
      year += 1;
    }
  }
  return ticks;
}

/** A signed day label: Day 0, +30, -14. */
export function dayLabel(day: number): string {
  return day > 0 ? `+${day}` : String(day);
}
