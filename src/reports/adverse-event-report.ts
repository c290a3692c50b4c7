import { epochDayOf } from '../domain/projection/epoch-day';
import { AE_CATEGORIES, type AeCategory } from '../domain/events/clinical-event';
import { PRIMARY_STATUSES, type AePeriod, type PrimaryStatus } from '../domain/projection/patient-record';
import { clopperPearson, type ProportionInterval } from '../domain/statistics';

export const AE_PERIODS = ['BRIDGING', 'DAY100_WINDOW', 'LATER'] as const satisfies readonly AePeriod[];
const LAST_WINDOW_DAY = 100;

/** Patients counted once, at the worst CTCAE grade any of their counted AEs reached. */
export interface WorstGradeCounts {
  readonly '1': number;
  readonly '2': number;
  readonly '3': number;
  readonly '4': number;
  readonly '5': number;
}

export interface IncidenceRow {
  /** Patients with at least one counted AE. */
  readonly patients: number;
  readonly byWorstGrade: WorstGradeCounts;
  /** patients / the period's denominator, with the exact (Clopper-Pearson) 95% CI; nulls when the denominator is 0. */
  readonly incidence: ProportionInterval;
}

export interface PeriodIncidence {
  readonly period: AePeriod;
  readonly denominator: { readonly patients: number; readonly definition: string };
  /** Any category: a patient with AEs in several categories counts once, at the worst grade over all. */
  readonly anyCategory: IncidenceRow;
  /** Every category in catalogue order, zero rows included, so tables keep their shape. */
  readonly byCategory: readonly (IncidenceRow & { readonly category: AeCategory })[];
}

export interface SeriousCount {
  readonly patients: number;
  readonly events: number;
}

export interface AdverseEventReport {
  readonly asOf: string;
  /** Patients in the filtered cohort (enrolled as of the date). */
  readonly n: number;
  readonly treatmentRelated: { readonly definition: string; readonly periods: readonly PeriodIncidence[] };
  readonly primaryEndpoint: {
    readonly byStatus: Readonly<Record<PrimaryStatus, number>>;
    /** EVENT + NO_EVENT: patients whose outcome is known. */
    readonly evaluable: number;
    readonly withEvent: number;
    /** withEvent / evaluable with the exact 95% CI. */
    readonly incidence: ProportionInterval;
    /** Patients with a treatment-related AE of the category in the window, over the evaluable patients. */
    readonly byCategory: readonly (IncidenceRow & { readonly category: AeCategory })[];
  };
  /** Every serious AE, related or not, by the period of its onset. */
  readonly serious: {
    readonly periods: readonly (SeriousCount & {
      readonly period: AePeriod;
      readonly denominator: number;
      readonly byCategory: readonly (SeriousCount & { readonly category: AeCategory })[];
    })[];
  };
}

export const TREATMENT_RELATED_DEFINITION = 'any GVHD, or any other AE with attribution POSSIBLE, PROBABLE or DEFINITE (as in force on the as-of date)';
export const DENOMINATOR_DEFINITIONS: Readonly<Record<AePeriod, string>> = {
  BRIDGING: 'all enrolled patients',
  DAY100_WINDOW: 'patients with Day 0 on or before the as-of date',
  LATER: 'patients with Day 0 who reached Day +101 on study by the as-of date, and any patient with an AE of onset after Day +100',
};

/** What the AE tables read of a patient: a summary with its AEs, or the same drawn from the read model's columns. */
export interface AeReportPatient {
  readonly asOf: string;
  readonly day0: string | null;
  readonly offStudy: { readonly date: string } | null;
  readonly primaryEndpoint: {
    readonly status: PrimaryStatus;
    readonly byCategory: readonly { readonly category: AeCategory; readonly worstGrade: number }[];
  };
  readonly adverseEvents: readonly {
    readonly phaseAtOnset: AePeriod;
    readonly category: AeCategory;
    readonly worstCtcaeGrade: number;
    readonly treatmentRelated: boolean;
    readonly serious: boolean;
  }[];
}

/** Whether the patient is at risk in the period, i.e. in its denominator. */
export function inDenominator(record: AeReportPatient, period: AePeriod): boolean {
  switch (period) {
    case 'BRIDGING':
      return true;
    case 'DAY100_WINDOW':
      return record.day0 !== null;
    case 'LATER': {
      if (record.day0 === null) return false;
      // An AE of later onset proves the patient was followed then (AEs are followed up after withdrawal too).
      if (record.adverseEvents.some((ae) => ae.phaseAtOnset === 'LATER')) return true;
      // Hand-rolled day numbers: this runs for every patient of a registry-sized cohort.
      const day0 = epochDayOf(record.day0);
      const reached = epochDayOf(record.asOf) - day0 > LAST_WINDOW_DAY;
      const leftInWindow = record.offStudy !== null && epochDayOf(record.offStudy.date) - day0 <= LAST_WINDOW_DAY;
      return reached && !leftInWindow;
    }
    default: {
      const unknown: never = period;
      throw new Error(`unknown period ${String(unknown)}`);
    }
  }
}

class GradeTally {
  private readonly counts = [0, 0, 0, 0, 0];
  add(grade: number): void {
    this.counts[grade - 1]++;
  }
  get patients(): number {
    return this.counts.reduce((a, b) => a + b, 0);
  }
  row(denominator: number): IncidenceRow {
    const [g1, g2, g3, g4, g5] = this.counts;
    return { patients: this.patients, byWorstGrade: { '1': g1, '2': g2, '3': g3, '4': g4, '5': g5 }, incidence: clopperPearson(this.patients, denominator) };
  }
}

const CATEGORY_INDEX = Object.fromEntries(AE_CATEGORIES.map((c, i) => [c, i])) as Record<AeCategory, number>;

const categoryTallies = (): Map<AeCategory, GradeTally> => new Map(AE_CATEGORIES.map((c) => [c, new GradeTally()]));

/** The AE incidence tables of domain.md section 6, over an already filtered cohort. */
export function adverseEventReport(records: readonly AeReportPatient[], asOf: string): AdverseEventReport {
  return {
    asOf,
    n: records.length,
    treatmentRelated: { definition: TREATMENT_RELATED_DEFINITION, periods: AE_PERIODS.map((period) => periodIncidence(records, period)) },
    primaryEndpoint: primarySummary(records),
    serious: { periods: AE_PERIODS.map((period) => seriousCounts(records, period)) },
  };
}

function periodIncidence(records: readonly AeReportPatient[], period: AePeriod): PeriodIncidence {
  let denominator = 0;
  const anyCategory = new GradeTally();
  const byCategory = categoryTallies();
  // Worst grade per category of one patient, by catalogue index: reused, no allocation per patient.
  const worst = new Array<number>(AE_CATEGORIES.length).fill(0);
  for (const record of records) {
    if (!inDenominator(record, period)) continue;
    denominator++;
    let any = 0;
    for (const ae of record.adverseEvents) {
      if (ae.phaseAtOnset !== period || !ae.treatmentRelated) continue;
      const c = CATEGORY_INDEX[ae.category];
      if (ae.worstCtcaeGrade > worst[c]) worst[c] = ae.worstCtcaeGrade;
      if (ae.worstCtcaeGrade > any) any = ae.worstCtcaeGrade;
    }
    if (any === 0) continue;
    for (let c = 0; c < worst.length; c++) {
      if (worst[c] === 0) continue;
      byCategory.get(AE_CATEGORIES[c])!.add(worst[c]);
      worst[c] = 0;
    }
    anyCategory.add(any);
  }
  return {
    period,
    denominator: { patients: denominator, definition: DENOMINATOR_DEFINITIONS[period] },
    anyCategory: anyCategory.row(denominator),
    byCategory: AE_CATEGORIES.map((category) => ({ category, ...byCategory.get(category)!.row(denominator) })),
  };
}

function primarySummary(records: readonly AeReportPatient[]): AdverseEventReport['primaryEndpoint'] {
  const byStatus = Object.fromEntries(PRIMARY_STATUSES.map((s) => [s, 0])) as Record<PrimaryStatus, number>;
  const byCategory = categoryTallies();
  for (const record of records) {
    byStatus[record.primaryEndpoint.status]++;
    if (record.primaryEndpoint.status !== 'EVENT') continue;
    for (const c of record.primaryEndpoint.byCategory) byCategory.get(c.category)!.add(c.worstGrade);
  }
  const evaluable = byStatus.EVENT + byStatus.NO_EVENT;
  return {
    byStatus,
    evaluable,
    withEvent: byStatus.EVENT,
    incidence: clopperPearson(byStatus.EVENT, evaluable),
    byCategory: AE_CATEGORIES.map((category) => ({ category, ...byCategory.get(category)!.row(evaluable) })),
  };
}

function seriousCounts(records: readonly AeReportPatient[], period: AePeriod): AdverseEventReport['serious']['periods'][number] {
  let denominator = 0;
  let patients = 0;
  let events = 0;
  const byCategory = new Map<AeCategory, { patients: number; events: number }>(AE_CATEGORIES.map((c) => [c, { patients: 0, events: 0 }]));
  // Which categories this patient was already counted in, by catalogue index, reset per patient.
  const seen = new Array<boolean>(AE_CATEGORIES.length).fill(false);
  for (const record of records) {
    if (inDenominator(record, period)) denominator++;
    let any = false;
    for (const ae of record.adverseEvents) {
      if (ae.phaseAtOnset !== period || !ae.serious) continue;
      any = true;
      events++;
      const tally = byCategory.get(ae.category)!;
      tally.events++;
      const c = CATEGORY_INDEX[ae.category];
      if (!seen[c]) {
        seen[c] = true;
        tally.patients++;
      }
    }
    if (any) {
      patients++;
      seen.fill(false);
    }
  }
  return { period, denominator, patients, events, byCategory: AE_CATEGORIES.map((category) => ({ category, ...byCategory.get(category)! })) };
}
