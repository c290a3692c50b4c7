/**
 * SVG as text, built by the same pure functions on the server (figure files) and in the
 * browser (the page inserts the same markup), so the two cannot draw different numbers.
 * No DOM, no Node: plain strings.
 */

export type Attributes = Readonly<Record<string, string | number | boolean | null | undefined>>;

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute values come from clinical records: every one is escaped. */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Coordinates to 0.01 px: enough for any screen or print, and stable text for tests. */
export function num(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

function attributes(attrs: Attributes): string {
  let out = '';
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (value === true) out += ` ${name}`;
    else out += ` ${name}="${escapeXml(typeof value === 'number' ? num(value) : value)}"`;
  }
  return out;
}

/** An element; children are markup already built by `el` or `text`. */
export function el(tag: string, attrs: Attributes = {}, ...children: readonly (string | readonly string[])[]): string {
  const inner = children.flat().join('');
  return inner === '' ? `<${tag}${attributes(attrs)}/>` : `<${tag}${attributes(attrs)}>${inner}</${tag}>`;
}

/** A text node. */
export function text(value: string | number): string {
  return escapeXml(String(value));
}

/** `<title>` gives the hover text and the accessible name of the element it opens. */
export function title(value: string): string {
  return el('title', {}, text(value));
}

/** A whole SVG document: role img with a title and a description for assistive technology. */
export function svgDocument(options: {
  readonly width: number;
  readonly height: number;
  readonly title: string;
  readonly description: string;
  readonly idPrefix: string;
  readonly className?: string;
  readonly role?: string;
  readonly body: readonly string[];
}): string {
  const titleId = `${options.idPrefix}-title`;
  const descId = `${options.idPrefix}-desc`;
  return el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      width: options.width,
      height: options.height,
      viewBox: `0 0 ${num(options.width)} ${num(options.height)}`,
      role: options.role ?? 'img',
      'aria-labelledby': `${titleId} ${descId}`,
      class: options.className,
      'font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif',
      'font-size': 12,
    },
    el('title', { id: titleId }, text(options.title)),
    el('desc', { id: descId }, text(options.description)),
    el('rect', { width: options.width, height: options.height, fill: '#ffffff' }),
    options.body,
  );
}

/** About the width of a character at 12 px in the sans-serif faces the figures name. */
export const CHAR_WIDTH = 6.6;

/** Words into lines of at most `maxChars` characters (a longer word keeps a line of its own). */
export function wrapWords(value: string, maxChars: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of value.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > maxChars) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** A caption that wraps to the figure's width: one <tspan> per line, 15 px apart. */
export function wrappedText(value: string, x: number, y: number, width: number, attrs: Attributes = {}): { markup: string; height: number } {
  const lines = wrapWords(value, Math.max(20, Math.floor(width / CHAR_WIDTH)));
  const markup = el('text', { x, y, ...attrs }, lines.map((line, i) => el('tspan', { x, dy: i === 0 ? 0 : 15 }, text(line))));
  return { markup, height: lines.length * 15 };
}
