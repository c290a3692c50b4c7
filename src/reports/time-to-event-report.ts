import type { PatientSummary } from '../domain/projection/patient-summary';
import type { CompetingRiskObservation as CompetingObservation, SurvivalObservation as Observation } from '../domain/statistics';
import { cumulativeIncidenceInterval, type IncidenceMilestone } from '../domain/statistics/cumulative-incidence';
import { cumulativeIncidence, kaplanMeier, type CompetingCause, type CompetingRiskObservation, type SurvivalObservation } from '../domain/statistics';
import { twoSidedZ } from '../domain/statistics/special-functions';
import type { EndpointCode, Origin } from './study';

/** Day +365 and Day +730 (1 and 2 years), the milestones of the fixed report shape (docs/clinical-rules.md section 9). */
export const REPORT_MILESTONES = [365, 730] as const;
const CONFIDENCE = 0.95;

/** Exactly the shape the interface fixes (docs/clinical-rules.md section 9) for GET /v1/reports/survival. */
export interface SurvivalReport {
  readonly endpoint: EndpointCode;
  readonly origin: Origin;
  readonly asOf: string;
  readonly n: number;
  readonly events: number;
  readonly censored: number;
  readonly median: { readonly days: number | null; readonly lower: number | null; readonly upper: number | null };
  readonly milestones: readonly { readonly day: number; readonly survival: number | null; readonly lower: number | null; readonly upper: number | null; readonly atRisk: number }[];
  readonly steps: readonly {
    readonly day: number;
    readonly atRisk: number;
    readonly events: number;
    readonly censored: number;
    readonly survival: number;
    readonly lower: number | null;
    readonly upper: number | null;
  }[];
}

/** Each patient's time and event for the endpoint; origin TRANSPLANT leaves out patients without Day 0. */
export function survivalObservations(records: readonly PatientSummary[], endpoint: EndpointCode, origin: Origin): SurvivalObservation[] {
  const observations: SurvivalObservation[] = [];
  for (const record of records) {
    const endpoints = origin === 'TRANSPLANT' ? record.endpoints : record.endpointsFromEnrollment;
    if (endpoints === null) continue;
    const outcome = endpoints[endpoint];
    observations.push({ time: outcome.days, event: outcome.event });
  }
  return observations;
}

/** Kaplan-Meier of one endpoint over the cohort (fields picked one by one: the shape is fixed). */
export function survivalReport(records: readonly PatientSummary[], endpoint: EndpointCode, origin: Origin, asOf: string): SurvivalReport {
  return survivalReportOf(survivalObservations(records, endpoint, origin), endpoint, origin, asOf);
}

/** The same report from observations already drawn (the read model's columns). */
export function survivalReportOf(observations: readonly Observation[], endpoint: EndpointCode, origin: Origin, asOf: string): SurvivalReport {
  const km = kaplanMeier(observations, { milestones: REPORT_MILESTONES, confidence: CONFIDENCE });
  return {
    endpoint,
    origin,
    asOf,
    n: km.n,
    events: km.events,
    censored: km.censored,
    median: { days: km.median.days, lower: km.median.lower, upper: km.median.upper },
    milestones: km.milestones.map((m) => ({ day: m.day, survival: m.survival, lower: m.lower, upper: m.upper, atRisk: m.atRisk })),
    steps: km.steps.map((s) => ({ day: s.day, atRisk: s.atRisk, events: s.events, censored: s.censored, survival: s.survival, lower: s.lower, upper: s.upper })),
  };
}

export interface IncidenceCauseReport {
  readonly events: number;
  readonly milestones: readonly IncidenceMilestone[];
  readonly steps: readonly {
    readonly day: number;
    readonly atRisk: number;
    readonly events: number;
    readonly estimate: number;
    readonly variance: number;
    readonly lower: number | null;
    readonly upper: number | null;
  }[];
}

export interface CumulativeIncidenceReport {
  readonly origin: Origin;
  readonly asOf: string;
  readonly n: number;
  readonly censored: number;
  readonly relapse: IncidenceCauseReport;
  readonly nonRelapseMortality: IncidenceCauseReport;
}

const CAUSE_CODES: Record<'RELAPSE' | 'NRM', CompetingCause> = { RELAPSE: 1, NRM: 2 };

/**
 * Relapse versus non-relapse mortality per patient. Origin TRANSPLANT: only a relapse on
 * or after Day 0 counts, patients without Day 0 are left out; origin ENROLLMENT: any relapse.
 */
export function competingObservations(records: readonly PatientSummary[], origin: Origin): CompetingRiskObservation[] {
  const observations: CompetingRiskObservation[] = [];
  for (const record of records) {
    const competing = record.relapseVsNrm;
    if (origin === 'TRANSPLANT') {
      if (competing.fromDay0 === null) continue;
      observations.push({ time: competing.fromDay0.days, cause: competing.fromDay0.event === null ? 0 : CAUSE_CODES[competing.fromDay0.event] });
    } else {
      observations.push({ time: competing.daysFromEnrollment, cause: competing.event === null ? 0 : CAUSE_CODES[competing.event] });
    }
  }
  return observations;
}

/** Aalen-Johansen cumulative incidence of relapse and of NRM, each the other's competing risk. */
export function cumulativeIncidenceReport(records: readonly PatientSummary[], origin: Origin, asOf: string): CumulativeIncidenceReport {
  return cumulativeIncidenceReportOf(competingObservations(records, origin), origin, asOf);
}

/** The same report from observations already drawn (the read model's columns). */
export function cumulativeIncidenceReportOf(observations: readonly CompetingObservation[], origin: Origin, asOf: string): CumulativeIncidenceReport {
  const ci = cumulativeIncidence(observations, { milestones: REPORT_MILESTONES, confidence: CONFIDENCE });
  const z = twoSidedZ(CONFIDENCE);
  const cause = (c: typeof ci.relapse): IncidenceCauseReport => ({
    events: c.events,
    milestones: c.milestones.map((m) => ({ day: m.day, estimate: m.estimate, variance: m.variance, lower: m.lower, upper: m.upper, atRisk: m.atRisk })),
    // The step table carries the pointwise band too, so a plot needs no second computation.
    steps: c.steps.map((s) => {
      const [lower, upper] = cumulativeIncidenceInterval(s.estimate, s.variance, z);
      return { day: s.day, atRisk: s.atRisk, events: s.events, estimate: s.estimate, variance: s.variance, lower, upper };
    }),
  });
  return { origin, asOf, n: ci.n, censored: ci.censored, relapse: cause(ci.relapse), nonRelapseMortality: cause(ci.nonRelapseMortality) };
}
