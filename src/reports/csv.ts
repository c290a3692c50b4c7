/**
 * RFC 4180 CSV for analysis datasets: a header row, CRLF line ends, no byte-order
 * mark, UTF-8. A field is quoted only when it holds a comma, a double quote, CR or
 * LF, with embedded quotes doubled; null and undefined are empty fields. SAS
 * PROC IMPORT (DBMS=CSV, which reads with DSD) and R read.csv both load this as is.
 */
export type CsvValue = string | number | null | undefined;

/** One dataset: the column order is the header order, fixed by the builder. */
export interface Dataset<C extends string = string> {
  readonly columns: readonly C[];
  readonly rows: readonly Readonly<Record<C, CsvValue>>[];
}

const NEEDS_QUOTES = /[",\r\n]/;
const CRLF = '\r\n';

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    // NaN or an infinity would load as text in one tool and as missing in another.
    if (!Number.isFinite(value)) throw new RangeError(`cannot write ${value} to CSV`);
    return String(value);
  }
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(values: readonly CsvValue[]): string {
  return values.map(csvField).join(',');
}

/** The whole file: header, one line per row, each line ended by CRLF (RFC 4180 section 2). */
export function toCsv<C extends string>(dataset: Dataset<C>): string {
  const lines = [csvLine(dataset.columns)];
  for (const row of dataset.rows) lines.push(csvLine(dataset.columns.map((c) => row[c])));
  return lines.join(CRLF) + CRLF;
}
