import { codesOf } from '../domain/projection/cohort-status';
import { QUERY_CODES, type DataQuery, type QueryCode } from '../domain/projection/patient-record';

export interface QueryCountsReport {
  /** Patients of the report's cohort with at least one open data query as of the date. */
  readonly patients: number;
  /** Patients with an open query of each code. */
  readonly byCode: Readonly<Record<QueryCode, number>>;
}

/** Open data queries counted beside a report: how much of what it shows still waits on the sites. */
export class QueryCounts {
  private patients = 0;
  private readonly byCode = Object.fromEntries(QUERY_CODES.map((code) => [code, 0])) as Record<QueryCode, number>;

  /** One patient's distinct query codes (`CohortStatus.queryCodes`). */
  add(codes: readonly QueryCode[]): void {
    if (codes.length === 0) return;
    this.patients++;
    for (const code of codes) this.byCode[code]++;
  }

  report(): QueryCountsReport {
    return { patients: this.patients, byCode: { ...this.byCode } };
  }
}

/** The same counts over summaries already projected to the date. */
export function queryCountsOf(summaries: readonly { readonly queries: readonly DataQuery[] }[]): QueryCountsReport {
  const counts = new QueryCounts();
  for (const summary of summaries) counts.add(codesOf(summary.queries));
  return counts.report();
}
