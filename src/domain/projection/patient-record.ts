/**
 * The derived patient record (docs/clinical-rules.md section 9: `GET /v1/patients/{subjectId}`):
 * everything the service says about one patient as of a clinical date, folded from
 * the effective history by `project()`. Plain readonly data, ready for JSON.
 */
import type {
  AeCategory,
  Attribution,
  ClinicalDate,
  CtcaeGrade,
  DeathCause,
  DiagnosisType,
  DiseaseStatus,
  EventType,
  GvhdGrade,
  RelapseKind,
  RiskGroup,
  Sex,
  SuspectedCause,
  WithdrawalReason,
} from '../events/clinical-event';
import type { Deviation } from '../rules/deviations';

/** Protocol phases in protocol order (docs/clinical-rules.md section 5). */
export const PHASES = [
  'ENROLLED',
  'BRIDGING_CHEMOTHERAPY',
  'BRIDGING_GPBMC',
  'CONDITIONING',
  'EARLY_POST_TRANSPLANT',
  'LONG_TERM_FOLLOW_UP',
  'COMPLETED',
  'OFF_STUDY',
] as const;
export type Phase = (typeof PHASES)[number];

export interface PhaseSpan {
  readonly phase: Phase;
  readonly from: ClinicalDate;
  /** Last day in the phase, inclusive; null while current. A phase entered and left on one day has `to === from`. */
  readonly to: ClinicalDate | null;
  /** The event that moved the patient into the phase; absent for the date-driven ones (Day +101, Day +731). */
  readonly eventId?: string;
  /** OFF_STUDY only: `DIED:<cause>` or `WITHDRAWN:<reason>`. */
  readonly reason?: string;
}

export const WINDOW_STATUSES = ['NOT_STARTED', 'OPEN', 'CLOSED'] as const;
export type WindowStatus = (typeof WINDOW_STATUSES)[number];

export const PRIMARY_STATUSES = ['NOT_APPLICABLE', 'EVENT', 'OPEN', 'NO_EVENT', 'INCOMPLETE'] as const;
export type PrimaryStatus = (typeof PRIMARY_STATUSES)[number];
export type NotApplicableReason = 'BEFORE_TRANSPLANT' | 'DIED_BEFORE_TRANSPLANT' | 'WITHDRAWN_BEFORE_TRANSPLANT';
export type IncompleteReason = 'DIED' | 'WITHDRAWN';
/**
 * ENGRAFTED: neutrophil engraftment on or before Day +30; PENDING: no news of the patient
 * after Day +30 yet; GRAFT_FAILURE: news after Day +30 and no engraftment dated by then;
 * NOT_EVALUABLE: off study by Day +30 without it (an early death is not a graft failure by
 * this definition).
 */
export const GRAFT_FAILURE_STATUSES = ['ENGRAFTED', 'PENDING', 'GRAFT_FAILURE', 'NOT_EVALUABLE'] as const;
export type GraftFailureStatus = (typeof GRAFT_FAILURE_STATUSES)[number];
/**
 * OPEN after the window closed: the patient is on study, but nothing dated on or after
 * Day +100 is known, so "no event in the window" is not established yet (docs/clinical-rules.md section 6:
 * NO_EVENT needs the patient observed through Day +100).
 */
export type OpenReason = 'NOT_OBSERVED_THROUGH_DAY_100';

export const MILESTONE_STATUSES = ['EVENT', 'EVENT_FREE', 'PENDING', 'CENSORED', 'MISSING'] as const;
export type MilestoneStatus = (typeof MILESTONE_STATUSES)[number];

/** What ended a time-to-event endpoint. */
export type EndpointEventType = 'DEATH' | 'RELAPSE' | 'ACUTE_GVHD_III_IV' | 'CHRONIC_GVHD_SYSTEMIC';

export interface EndpointOutcome {
  readonly event: boolean;
  /** The event date, or the censoring date (last known alive and event-free). */
  readonly date: ClinicalDate;
  /** Days from the origin to `date`. */
  readonly days: number;
  readonly eventType?: EndpointEventType;
  readonly milestones: { readonly '365': MilestoneStatus; readonly '730': MilestoneStatus };
}

export interface Endpoints {
  readonly OS: EndpointOutcome;
  readonly PFS: EndpointOutcome;
  readonly GRFS: EndpointOutcome;
}

/**
 * Where an AE's onset falls: BRIDGING from enrollment to the day before conditioning starts
 * (or before Day 0 without conditioning), CONDITIONING from conditioning start to Day -1,
 * DAY100_WINDOW on Day 0..+100, LATER after. Without Day 0 an onset is BRIDGING or CONDITIONING.
 */
export const AE_PERIODS = ['BRIDGING', 'CONDITIONING', 'DAY100_WINDOW', 'LATER'] as const;
export type AePeriod = (typeof AE_PERIODS)[number];

export interface AeChange {
  /** Clinical date of the change (the update's `occurredOn`). */
  readonly date: ClinicalDate;
  readonly eventId: string;
  readonly ctcaeGrade?: CtcaeGrade;
  readonly gvhdGrade?: GvhdGrade;
  readonly attribution?: Attribution;
  readonly systemicTherapy?: boolean;
  readonly resolvedOn?: ClinicalDate;
}

export interface AeSummary {
  readonly aeId: string;
  /** The `AdverseEventReported` event. */
  readonly eventId: string;
  readonly term: string;
  readonly category: AeCategory;
  readonly onset: ClinicalDate;
  /** Day of onset relative to Day 0; null without Day 0. */
  readonly dayRelative: number | null;
  readonly phaseAtOnset: AePeriod;
  /** Current values: the report as changed by every update dated on or before the as-of date. */
  readonly ctcaeGrade: CtcaeGrade;
  readonly worstCtcaeGrade: CtcaeGrade;
  /**
   * Onset in the day-100 window only: the worst CTCAE grade reached on or before Day +100,
   * which the primary endpoint counts (a worsening counts from its date, docs/clinical-rules.md section 3).
   */
  readonly worstCtcaeGradeByDay100?: CtcaeGrade;
  readonly gvhdGrade?: GvhdGrade;
  readonly worstGvhdGrade?: GvhdGrade;
  readonly serious: boolean;
  readonly attribution: Attribution;
  /** GVHD of either kind, or an attribution of POSSIBLE, PROBABLE or DEFINITE in force as of the as-of date. */
  readonly treatmentRelated: boolean;
  readonly suspectedCause?: SuspectedCause;
  readonly resolvedOn?: ClinicalDate;
  readonly systemicTherapy?: boolean;
  /** Acute GVHD only: the date the MAGIC grade first reached III or IV (onset or update). */
  readonly severeAcuteGvhdOn?: ClinicalDate;
  /** Chronic GVHD only: the date systemic therapy was first recorded (onset or update). */
  readonly systemicTherapyOn?: ClinicalDate;
  readonly changes: readonly AeChange[];
}

export interface PrimaryCategoryCount {
  readonly category: AeCategory;
  readonly count: number;
  /** Worst CTCAE grade reached by any counted AE of the category (5 for a counted death). */
  readonly worstGrade: number;
  readonly aeIds: readonly string[];
  /**
   * A treatment-related death in the window that no grade-5 AE of the window stands for: it
   * counts once in this row (category of its cause) as a grade-5 event dated on the death.
   */
  readonly deathEventId?: string;
}

export interface PrimaryEndpoint {
  readonly status: PrimaryStatus;
  /** NOT_APPLICABLE: why there is no Day 0; INCOMPLETE: how the patient left the study; OPEN after the window: what is missing. */
  readonly reason?: NotApplicableReason | IncompleteReason | OpenReason;
  /** Onset of the first treatment-related AE in the window, or the counted death if earlier. */
  readonly eventDate: ClinicalDate | null;
  /** Treatment-related AEs with onset in the window, by category (catalogue order); empty without any. */
  readonly byCategory: readonly PrimaryCategoryCount[];
}

export interface CompetingOutcome {
  /** RELAPSE first, or NRM (death without a prior relapse), or null (censored at `date`). */
  readonly event: 'RELAPSE' | 'NRM' | null;
  readonly date: ClinicalDate;
  readonly days: number;
}

export interface RelapseVsNrm {
  /** Origin enrollment: any relapse counts, including one before Day 0. */
  readonly event: 'RELAPSE' | 'NRM' | null;
  readonly date: ClinicalDate;
  /** Days from Day 0 to `date` (negative for a relapse before Day 0); null without Day 0. For an origin-Day-0 analysis use `fromDay0`. */
  readonly daysFromDay0: number | null;
  readonly daysFromEnrollment: number;
  /** Origin Day 0: only a relapse on or after Day 0 counts; null without Day 0. */
  readonly fromDay0: CompetingOutcome | null;
}

export type MilestoneDay = 30 | 100 | 182 | 365 | 730;
export type MilestoneVisitStatus = 'DONE' | 'DUE' | 'UPCOMING' | 'OVERDUE' | 'NOT_REQUIRED';

export interface MilestoneVisit {
  readonly day: MilestoneDay;
  readonly due: ClinicalDate;
  readonly windowFrom: ClinicalDate;
  readonly windowTo: ClinicalDate;
  readonly status: MilestoneVisitStatus;
  /** The effective event in the window nearest the due date (the earlier on a tie); null without one. */
  readonly contactOn: ClinicalDate | null;
}

export interface TimelineEntry {
  readonly eventId: string;
  readonly type: EventType;
  readonly occurredOn: ClinicalDate;
  /** Relative to Day 0; null without Day 0. */
  readonly day: number | null;
  /** The phase at the end of that date. */
  readonly phase: Phase;
  readonly revision: number;
  readonly correctedBy: readonly string[];
  readonly data: unknown;
}

export interface OffStudy {
  readonly date: ClinicalDate;
  readonly reason: 'DIED' | 'WITHDRAWN';
  /** The death cause or the withdrawal reason. */
  readonly detail: DeathCause | WithdrawalReason;
  readonly eventId: string;
}

export interface PatientRecord {
  readonly subjectId: string;
  readonly asOf: ClinicalDate;
  readonly revision: number;
  readonly enrolledOn: ClinicalDate;
  readonly diagnosis: {
    readonly type: DiagnosisType;
    readonly status: DiseaseStatus;
    readonly riskGroup: RiskGroup | null;
    readonly who: string | null;
  };
  readonly sex: Sex;
  readonly ageYears: number;
  readonly phase: Phase;
  readonly phaseHistory: readonly PhaseSpan[];
  /** Left the study early (death or withdrawal before completion); null while on study or after completion. */
  readonly offStudy: OffStudy | null;
  /** The recorded death, whenever it happened (also after withdrawal or completion). */
  readonly death: { readonly date: ClinicalDate; readonly cause: DeathCause; readonly treatmentRelated: boolean; readonly eventId: string } | null;
  readonly relapsed: boolean;
  /** The first relapse, before or after Day 0. */
  readonly relapse: { readonly date: ClinicalDate; readonly kind: RelapseKind; readonly eventId: string } | null;
  readonly day0: ClinicalDate | null;
  /** The \`StemCellsInfused\` event of Day 0; null without Day 0. */
  readonly day0EventId: string | null;
  readonly day100Window: { readonly start: ClinicalDate | null; readonly end: ClinicalDate | null; readonly status: WindowStatus };
  readonly primaryEndpoint: PrimaryEndpoint;
  /** AEs of period BRIDGING (onset before conditioning starts, or before Day 0 without conditioning): the bridging safety profile. */
  readonly bridgingAdverseEvents: readonly AeSummary[];
  /** Every AE, in clinical order of onset. */
  readonly adverseEvents: readonly AeSummary[];
  /** Origin Day 0; null without Day 0. */
  readonly endpoints: Endpoints | null;
  /** Origin enrollment. */
  readonly endpointsFromEnrollment: Endpoints;
  readonly relapseVsNrm: RelapseVsNrm;
  /**
   * Date last known alive: the latest documented contact, i.e. the latest clinical date among
   * the visible effective events other than a withdrawal (an administrative status, not a
   * sighting), not after death. OS censors here.
   */
  readonly lastKnownAlive: ClinicalDate;
  /**
   * The latest documented contact on or before the withdrawal date (lastKnownAlive without a
   * withdrawal): disease assessment stops at withdrawal, so PFS, GRFS and relapse/NRM censor
   * here, and events after it do not count for them.
   */
  readonly lastAssessed: ClinicalDate;
  readonly engraftment: { readonly neutrophil: ClinicalDate | null; readonly platelet: ClinicalDate | null };
  /**
   * Graft failure as docs/clinical-rules.md section 1 defines it: no neutrophil engraftment by Day +30
   * for a peripheral blood graft (PBSC or GPBMC). Null without Day 0 or for a marrow or cord
   * graft, which the definition does not cover. It is shown, not counted: an AE table counts
   * graft failure once a site reports it as an AE (category HEMATOLOGICAL_TOXICITY).
   */
  readonly graftFailure: GraftFailureStatus | null;
  /** Empty without Day 0. */
  readonly milestoneVisits: readonly MilestoneVisit[];
  readonly deviations: readonly Deviation[];
  /** Open data queries as of the date (see queries.ts); empty when none. */
  readonly queries: readonly DataQuery[];
  readonly timeline: readonly TimelineEntry[];
}

export const QUERY_CODES = [
  'DEATH_WITHOUT_GRADE5_AE',
  'NEUTROPHIL_ENGRAFTMENT_NOT_DOCUMENTED',
  'DAY100_NOT_OBSERVED',
  'MILESTONE_VISIT_OVERDUE',
  'AE_UNRESOLVED_AT_OFF_STUDY',
] as const;
export type QueryCode = (typeof QUERY_CODES)[number];

/**
 * Missing or inconsistent data, asked of the site rather than read as a finding. Derived
 * from the effective history as of the date, so recording the answer removes it.
 */
export interface DataQuery {
  readonly code: QueryCode;
  /** The clinical date the question arose on. */
  readonly raisedOn: ClinicalDate;
  /** The effective events it concerns (all in the record's history). */
  readonly eventIds: readonly string[];
  /** One plain question a site coordinator can answer. */
  readonly question: string;
}
