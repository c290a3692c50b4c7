import fc from 'fast-check';
import { canonicalJson, canonicalJsonByReplacer } from './canonical-json';

/** What each gives, or the name of the error it throws. */
function outcome(f: (v: unknown) => string, value: unknown): string {
  try {
    return `text ${String(f(value))}`;
  } catch (error) {
    return `throws ${(error as Error).name}`;
  }
}

/** Keys that JavaScript orders as integers, and near misses that it does not. */
const key = fc.oneof(fc.string(), fc.nat().map(String), fc.constantFrom('', '0', '01', '-1', '1.5', '4294967294', '4294967295', '__proto__', 'é', 'Z', 'a'));

describe('canonicalJson', () => {
  it.each([
    ['the empty key, which sorts first and is no integer', { ' ': null, '': false }, '{"":false," ":null}'],
    ['nested objects', { b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } }, '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}'],
    ['integer-like keys first, in numeric order, as the sorted copy enumerates them', { b: 1, 10: 'x', 9: 'y', a: 2 }, '{"9":"y","10":"x","a":2,"b":1}'],
    ['undefined members left out, in arrays written null', { a: undefined, b: [undefined, () => 1] }, '{"b":[null,null]}'],
    ['numbers JSON cannot hold written null', [NaN, Infinity, -0], '[null,null,0]'],
    ['a Date through its toJSON', { at: new Date(Date.UTC(2026, 0, 2)) }, '{"at":"2026-01-02T00:00:00.000Z"}'],
    ['a Map as an empty object, as the definition makes it', { m: new Map([['a', 1]]) }, '{"m":{}}'],
  ])('given %s, then the text is the definition\'s', (_what, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
    expect(canonicalJsonByReplacer(value)).toBe(expected);
  });

  it('given a cycle, then it throws as the definition does (the sorted copies never repeat, so the stack runs out)', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(outcome(canonicalJson, a)).toBe('throws RangeError');
    expect(outcome(canonicalJsonByReplacer, a)).toBe('throws RangeError');
  });

  it('given any value, then it gives what the definition gives (or throws alike)', () => {
    const anything = fc.anything({
      key,
      maxDepth: 4,
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      withUnicodeString: true,
    });
    fc.assert(fc.property(anything, (value) => expect(outcome(canonicalJson, value)).toBe(outcome(canonicalJsonByReplacer, value))), { numRuns: 2000 });
  });

  it('given a value read back from canonical text (keys already in order), then the text is that text again', () => {
    const json = fc.jsonValue().chain((v) => fc.constant(canonicalJsonByReplacer(v)));
    fc.assert(fc.property(json, (text) => expect(canonicalJson(JSON.parse(text))).toBe(text)), { numRuns: 2000 });
  });

  it('given any JSON text, then the text of its value is the definition\'s', () => {
    fc.assert(fc.property(fc.json(), (text) => expect(canonicalJson(JSON.parse(text))).toBe(canonicalJsonByReplacer(JSON.parse(text)))), { numRuns: 3000 });
  });
});
