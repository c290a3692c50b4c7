import { epochDayOf } from '../domain/projection/epoch-day';
import { AE_CATEGORIES, type AeCategory } from '../domain/events/clinical-event';
import { AE_PERIODS, PRIMARY_STATUSES, type AePeriod, type PrimaryStatus } from '../domain/projection/patient-record';
import type { PatientSummaryWithAes } from '../domain/projection/patient-summary';
import { clopperPearson, type ProportionInterval } from '../domain/statistics';

export { AE_PERIODS };
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
    /** The one denominator rule of this line and of the DAY100_WINDOW table above, stated for the reader. */
    readonly denominatorRule: string;
    readonly byStatus: Readonly<Record<PrimaryStatus, number>>;
    /** EVENT + NO_EVENT: patients whose outcome is known. */
    readonly evaluable: number;
    readonly withEvent: number;
    /** withEvent / evaluable with the exact 95% CI. */
    readonly incidence: ProportionInterval;
    /** Off study inside the window with no event: not in the denominator above, counted here with how they left. */
    readonly incomplete: { readonly patients: number; readonly byReason: { readonly DIED: number; readonly WITHDRAWN: number } };
    /** Every INCOMPLETE patient counted as an EVENT: (EVENT + INCOMPLETE) / (EVENT + NO_EVENT + INCOMPLETE), exact 95% CI. */
    readonly worstCase: { readonly withEvent: number; readonly denominator: number; readonly incidence: ProportionInterval };
    /** Patients with a treatment-related AE of the category in the window, over the evaluable patients. */
    readonly byCategory: readonly (IncidenceRow & { readonly category: AeCategory })[];
  };
  /** Every serious AE, related or not, by the period of its onset. */
  readonly serious: {
    readonly periods: readonly (SeriousCount & {
      readonly period: AePeriod;
      readonly denominator: number;
      readonly denominatorDefinition: string;
      readonly byCategory: readonly (SeriousCount & { readonly category: AeCategory })[];
    })[];
  };
}

export const TREATMENT_RELATED_DEFINITION = 'any GVHD, or any other AE with attribution POSSIBLE, PROBABLE or DEFINITE (as in force on the as-of date)';
export const PRIMARY_DENOMINATOR_RULE =
  'incidence = EVENT / (EVENT + NO_EVENT): patients whose day-100 window is evaluable. OPEN (window not over, or not observed through Day +100) and NOT_APPLICABLE (no Day 0) are left out; INCOMPLETE (off study in the window without an event) is shown beside it with its reasons, and the worst case counts it as EVENT. The DAY100_WINDOW table of treatment-related AEs uses this denominator and the worst grade reached by Day +100, so it repeats this line by category; a treatment-related death in the window counts as a grade-5 event of its cause.';
export const DENOMINATOR_DEFINITIONS: Readonly<Record<AePeriod, string>> = {
  BRIDGING: 'all enrolled patients',
  CONDITIONING: 'patients who started conditioning by the as-of date, and any patient with an AE of onset in conditioning',
  DAY100_WINDOW: 'patients whose primary endpoint is evaluable (EVENT or NO_EVENT), as in the primary endpoint line',
  LATER: 'patients with Day 0 who reached Day +101 on study by the as-of date, and any patient with an AE of onset after Day +100',
};
/** Serious AEs are counts, not incidences: their denominator is who was at risk in the period. */
const SERIOUS_WINDOW_DENOMINATOR = 'patients with Day 0 on or before the as-of date';

/** What the AE tables read of a patient: a summary with its AEs, or the same drawn from the read model's columns. */
export interface AeReportPatient {
  readonly asOf: string;
  readonly day0: string | null;
  /** The first day of conditioning, or null. */
  readonly conditioningOn: string | null;
  readonly offStudy: { readonly date: string } | null;
  readonly primaryEndpoint: {
    readonly status: PrimaryStatus;
    /** Why INCOMPLETE (DIED, WITHDRAWN) or NOT_APPLICABLE. */
    readonly reason?: string;
    readonly byCategory: readonly { readonly category: AeCategory; readonly worstGrade: number }[];
  };
  readonly adverseEvents: readonly {
    readonly phaseAtOnset: AePeriod;
    readonly category: AeCategory;
    readonly worstCtcaeGrade: number;
    /** Onset in the window: the worst grade reached on or before Day +100. */
    readonly worstCtcaeGradeByDay100?: number;
    readonly treatmentRelated: boolean;
    readonly serious: boolean;
  }[];
}

/** The AE tables' view of a patient summary. */
export function aeReportPatientOf(summary: PatientSummaryWithAes): AeReportPatient {
  const conditioning = summary.phaseHistory.find((span) => span.phase === 'CONDITIONING');
  return { ...summary, conditioningOn: conditioning ? conditioning.from : null };
}

/** Whether the patient is at risk in the period (serious AEs count over these). */
export function atRisk(record: AeReportPatient, period: AePeriod): boolean {
  switch (period) {
    case 'BRIDGING':
      return true;
    case 'CONDITIONING':
      return record.conditioningOn !== null || record.adverseEvents.some((ae) => ae.phaseAtOnset === 'CONDITIONING');
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

/** Whether the patient is in the period's denominator of treatment-related AEs: at risk, and for the window, evaluable. */
export function inDenominator(record: AeReportPatient, period: AePeriod): boolean {
  if (period === 'DAY100_WINDOW') return record.primaryEndpoint.status === 'EVENT' || record.primaryEndpoint.status === 'NO_EVENT';
  return atRisk(record, period);
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

/** Counts of one period: its denominator, treatment-related AEs by worst grade, and serious AEs. */
class PeriodTally {
  denominator = 0;
  atRisk = 0;
  readonly anyCategory = new GradeTally();
  readonly byCategory = AE_CATEGORIES.map(() => new GradeTally());
  seriousPatients = 0;
  seriousEvents = 0;
  readonly seriousByCategory = AE_CATEGORIES.map(() => ({ patients: 0, events: 0 }));
}

/**
 * The AE incidence tables of docs/clinical-rules.md section 8, built one patient at a time: a report
 * over a registry feeds each patient as it is read and keeps none of them, so the
 * per-patient objects die young instead of filling the heap for the length of a request.
 */
export class AeReportTally {
  private n = 0;
  private readonly periods = AE_PERIODS.map(() => new PeriodTally());
  private readonly byStatus = Object.fromEntries(PRIMARY_STATUSES.map((s) => [s, 0])) as Record<PrimaryStatus, number>;
  private readonly primaryByCategory = AE_CATEGORIES.map(() => new GradeTally());
  private readonly incompleteByReason = { DIED: 0, WITHDRAWN: 0 };
  // Per patient and period, by catalogue index: worst related grade, and whether a serious AE was counted. Reused.
  private readonly worst = new Array<number>(AE_CATEGORIES.length).fill(0);
  private readonly seen = new Array<boolean>(AE_CATEGORIES.length).fill(false);

  add(record: AeReportPatient): void {
    this.n++;
    this.byStatus[record.primaryEndpoint.status]++;
    if (record.primaryEndpoint.status === 'EVENT') {
      for (const c of record.primaryEndpoint.byCategory) this.primaryByCategory[CATEGORY_INDEX[c.category]].add(c.worstGrade);
    } else if (record.primaryEndpoint.status === 'INCOMPLETE') {
      this.incompleteByReason[record.primaryEndpoint.reason === 'DIED' ? 'DIED' : 'WITHDRAWN']++;
    }
    for (let p = 0; p < AE_PERIODS.length; p++) this.addToPeriod(record, AE_PERIODS[p], this.periods[p]);
  }

  report(asOf: string): AdverseEventReport {
    const evaluable = this.byStatus.EVENT + this.byStatus.NO_EVENT;
    const worstCaseEvents = this.byStatus.EVENT + this.byStatus.INCOMPLETE;
    const worstCaseDenominator = evaluable + this.byStatus.INCOMPLETE;
    return {
      asOf,
      n: this.n,
      treatmentRelated: {
        definition: TREATMENT_RELATED_DEFINITION,
        periods: AE_PERIODS.map((period, p) => {
          const t = this.periods[p];
          return {
            period,
            denominator: { patients: t.denominator, definition: DENOMINATOR_DEFINITIONS[period] },
            anyCategory: t.anyCategory.row(t.denominator),
            byCategory: AE_CATEGORIES.map((category, c) => ({ category, ...t.byCategory[c].row(t.denominator) })),
          };
        }),
      },
      primaryEndpoint: {
        denominatorRule: PRIMARY_DENOMINATOR_RULE,
        byStatus: { ...this.byStatus },
        evaluable,
        withEvent: this.byStatus.EVENT,
        incidence: clopperPearson(this.byStatus.EVENT, evaluable),
        incomplete: { patients: this.byStatus.INCOMPLETE, byReason: { ...this.incompleteByReason } },
        worstCase: { withEvent: worstCaseEvents, denominator: worstCaseDenominator, incidence: clopperPearson(worstCaseEvents, worstCaseDenominator) },
        byCategory: AE_CATEGORIES.map((category, c) => ({ category, ...this.primaryByCategory[c].row(evaluable) })),
      },
      serious: {
        periods: AE_PERIODS.map((period, p) => {
          const t = this.periods[p];
          return {
            period,
            denominator: t.atRisk,
            denominatorDefinition: period === 'DAY100_WINDOW' ? SERIOUS_WINDOW_DENOMINATOR : DENOMINATOR_DEFINITIONS[period],
            patients: t.seriousPatients,
            events: t.seriousEvents,
            byCategory: AE_CATEGORIES.map((category, c) => ({ category, ...t.seriousByCategory[c] })),
          };
        }),
      },
    };
  }

  private addToPeriod(record: AeReportPatient, period: AePeriod, t: PeriodTally): void {
    if (atRisk(record, period)) t.atRisk++;
    if (inDenominator(record, period)) {
      t.denominator++;
      // Treatment-related AEs count for patients in the denominator only.
      let any = 0;
      if (period === 'DAY100_WINDOW') {
        // The primary endpoint's own categories and grades by Day +100 (counted deaths included): the same numbers as its line.
        for (const c of record.primaryEndpoint.byCategory) {
          this.worst[CATEGORY_INDEX[c.category]] = c.worstGrade;
          if (c.worstGrade > any) any = c.worstGrade;
        }
      } else {
        for (const ae of record.adverseEvents) {
          if (ae.phaseAtOnset !== period || !ae.treatmentRelated) continue;
          const c = CATEGORY_INDEX[ae.category];
          if (ae.worstCtcaeGrade > this.worst[c]) this.worst[c] = ae.worstCtcaeGrade;
          if (ae.worstCtcaeGrade > any) any = ae.worstCtcaeGrade;
        }
      }
      if (any > 0) {
        for (let c = 0; c < this.worst.length; c++) {
          if (this.worst[c] === 0) continue;
          t.byCategory[c].add(this.worst[c]);
          this.worst[c] = 0;
        }
        t.anyCategory.add(any);
      }
    }
    // Every serious AE counts, related or not, whatever the denominator.
    let serious = false;
    for (const ae of record.adverseEvents) {
      if (ae.phaseAtOnset !== period || !ae.serious) continue;
      serious = true;
      t.seriousEvents++;
      const c = CATEGORY_INDEX[ae.category];
      t.seriousByCategory[c].events++;
      if (!this.seen[c]) {
        this.seen[c] = true;
        t.seriousByCategory[c].patients++;
      }
    }
    if (serious) {
      t.seriousPatients++;
      this.seen.fill(false);
    }
  }
}

/** The AE incidence tables over an already filtered cohort of summaries (or records). */
export function adverseEventReport(records: readonly PatientSummaryWithAes[], asOf: string): AdverseEventReport {
  const tally = new AeReportTally();
  for (const record of records) tally.add(aeReportPatientOf(record));
  return tally.report(asOf);
}
