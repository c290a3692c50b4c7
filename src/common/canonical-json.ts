/**
 * JSON with object keys sorted, so two equal values always serialize alike.
 *
 * Chain digests and ETags are taken over this text, so its output must never change:
 * it is exactly `JSON.stringify(value, replacer)` where the replacer rebuilds every plain
 * object with its entries sorted (`canonicalJsonByReplacer`, kept as the definition).
 * Written out by hand for plain data (what JSON.parse gives: the log's every event), it
 * skips the sorted copy of each object and its entry arrays, which were most of a
 * verification's garbage. Anything else (toJSON, class instances, Maps, boxed values,
 * cycles) goes through the definition itself.
 */
export function canonicalJson(value: unknown): string {
  try {
    // Already in canonical order (as the store writes data and metadata, and JSON.parse
    // keeps): JSON.stringify gives the same text, natively.
    if (inCanonicalOrder(value, 0)) return JSON.stringify(value);
    const text = write(value);
    if (text !== NOT_PLAIN) return text as string;
  } catch {
    // a cycle or a value too deep for the stack: the definition throws its own error
  }
  return canonicalJsonByReplacer(value);
}

/** The definition of the canonical text: JSON.stringify rebuilding each object with its keys sorted. */
export function canonicalJsonByReplacer(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * True when `v` is plain JSON data (no undefined, functions, toJSON, class instances)
 * whose every object lists its keys as the definition's sorted copy would: then
 * JSON.stringify writes the definition's text.
 */
function inCanonicalOrder(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  if (v === null) return true;
  // Deeper than this, `write` and the definition decide (and throw alike on a cycle).
  if (depth > 64) return false;
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype || typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
    for (let i = 0; i < v.length; i++) if (!inCanonicalOrder(v[i], depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if ((proto !== Object.prototype && proto !== null) || typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
  const record = v as Record<string, unknown>;
  let previous: string | null = null;
  for (const key in record) {
    if (!Object.prototype.hasOwnProperty.call(record, key)) return false;
    // Integer-like keys come first in every object, in numeric order, in both texts.
    if (!isArrayIndex(key)) {
      if (previous !== null && !(previous < key)) return false;
      previous = key;
    }
    if (!inCanonicalOrder(record[key], depth + 1)) return false;
  }
  return true;
}

/** Returned when the value holds something other than plain data. */
const NOT_PLAIN = Symbol('not plain');

/**
 * The text of one value, undefined where JSON.stringify leaves the member out (undefined,
 * functions, symbols), NOT_PLAIN where only the definition knows what it gives.
 */
function write(v: unknown): string | undefined | typeof NOT_PLAIN {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
      return JSON.stringify(v);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      return NOT_PLAIN;
  }
  if (v === null) return 'null';
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype || typeof (v as { toJSON?: unknown }).toJSON === 'function') return NOT_PLAIN;
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      const item = write(v[i]);
      if (item === NOT_PLAIN) return NOT_PLAIN;
      out += (i === 0 ? '' : ',') + (item ?? 'null');
    }
    return out + ']';
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if ((proto !== Object.prototype && proto !== null) || typeof (v as { toJSON?: unknown }).toJSON === 'function') return NOT_PLAIN;
  const record = v as Record<string, unknown>;
  const keys = sortedKeys(record);
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = write(record[key]);
    if (item === NOT_PLAIN) return NOT_PLAIN;
    if (item === undefined) continue;
    out += (first ? '' : ',') + JSON.stringify(key) + ':' + item;
    first = false;
  }
  return out + '}';
}

/**
 * The order the definition writes keys in: the sorted copy is a new object, whose
 * integer-like keys JavaScript enumerates first, in numeric order, and the others in the
 * (sorted) order they were added. Object.keys already lists the integer-like keys first.
 */
function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  let i = 0;
  while (i < keys.length && isArrayIndex(keys[i])) i++;
  if (i === 0) return keys.sort(byCodeUnits);
  return i === keys.length ? keys : [...keys.slice(0, i), ...keys.slice(i).sort(byCodeUnits)];
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A key JavaScript orders as an integer: "0", "1", ... up to 2^32 - 2, in canonical form. */
function isArrayIndex(key: string): boolean {
  if (key.length === 0) return false;
  const c = key.charCodeAt(0);
  if (c < 48 || c > 57 || (c === 48 && key.length > 1) || key.length > 10) return false;
  for (let i = 1; i < key.length; i++) {
    const d = key.charCodeAt(i);
    if (d < 48 || d > 57) return false;
  }
  return Number(key) < 4294967295;
}
