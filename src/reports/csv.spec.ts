import fc from 'fast-check';
import { csvField, toCsv } from './csv';

/** A from-scratch RFC 4180 reader, to check that what we write reads back to the same fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
    i++;
  }
  if (field !== '' || row.length > 0) throw new Error('the last line is not ended by CRLF');
  return rows;
}

describe('csvField', () => {
  it.each([
    ['plain text', 'Febrile neutropenia', 'Febrile neutropenia'],
    ['a comma', 'Acute GVHD, skin', '"Acute GVHD, skin"'],
    ['a double quote, doubled', 'so-called "engraftment syndrome"', '"so-called ""engraftment syndrome"""'],
    ['a line feed', 'line 1\nline 2', '"line 1\nline 2"'],
    ['a carriage return', 'line 1\rline 2', '"line 1\rline 2"'],
    ['CRLF', 'a\r\nb', '"a\r\nb"'],
    ['only a quote', '"', '""""'],
    ['an empty string', '', ''],
    ['leading and trailing spaces, kept as they are', ' x ', ' x '],
    ['non-ASCII, as UTF-8 text', 'Candidämie', 'Candidämie'],
  ])('given %s, writes it RFC 4180 style', (_label, value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it.each([
    [null, ''],
    [undefined, ''],
    [0, '0'],
    [365, '365'],
    [-3, '-3'],
    [0.25, '0.25'],
  ])('given %p, writes %p', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it.each([NaN, Infinity, -Infinity])('refuses %p, which tools would read differently', (value) => {
    expect(() => csvField(value)).toThrow(RangeError);
  });
});

describe('toCsv', () => {
  it('given columns and rows, writes the header then one CRLF-ended line per row in column order, without a BOM', () => {
    const text = toCsv({ columns: ['B', 'A'], rows: [{ A: 1, B: 'x' }, { A: null, B: 'y,z' }] });
    expect(text).toBe('B,A\r\nx,1\r\n"y,z",\r\n');
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
  });

  it('given no rows, writes the header alone', () => {
    expect(toCsv({ columns: ['STUDYID', 'USUBJID'], rows: [] })).toBe('STUDYID,USUBJID\r\n');
  });

  it('reads back to the same fields for any text (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.oneof(fc.string(), fc.constantFrom('"', ',', '\r\n', '\n', '\r', '""', ' , ')), { minLength: 3, maxLength: 3 }), { maxLength: 8 }), (rows) => {
        const columns = ['C1', 'C2', 'C3'] as const;
        const text = toCsv({ columns, rows: rows.map(([C1, C2, C3]) => ({ C1, C2, C3 })) });
        expect(parseCsv(text)).toEqual([[...columns], ...rows]);
      }),
    );
  });
});
