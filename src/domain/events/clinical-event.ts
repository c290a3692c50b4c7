/**
 * The clinical event catalogue (docs/clinical-rules.md section 3).
 * Plain readonly data: the domain folds these, the API validates them at the edge,
 * and the store keeps them as they came.
 */

/** An ISO calendar date `YYYY-MM-DD`: a clinical date has no time and no zone. */
export type ClinicalDate = string;

export const SEXES = ['MALE', 'FEMALE'] as const;
export const DIAGNOSIS_TYPES = ['AML', 'ALL', 'MPAL', 'OTHER'] as const;
export const DISEASE_STATUSES = ['RELAPSED', 'REFRACTORY'] as const;
export const RISK_GROUPS = ['FAVORABLE', 'INTERMEDIATE', 'ADVERSE'] as const;
export const DONOR_RELATIONS = ['SIBLING', 'PARENT', 'CHILD', 'OTHER_RELATIVE', 'UNRELATED'] as const;
export const TRANSPLANT_DONOR_TYPES = ['MSD', 'MUD', 'MMUD_9_10', 'HAPLO'] as const;
export const REGIMENS = ['FLAG', 'DAV', 'IAV', 'VDCP', 'HYPER_CVAD_A', 'FC', 'OTHER'] as const;
export const RESPONSES = ['CR', 'CRI', 'MLFS', 'PR', 'NR', 'PD'] as const;
export const CONDITIONING_AGENTS = [
  'FLUDARABINE', 'CYCLOPHOSPHAMIDE', 'ATG', 'TBI', 'BUSULFAN', 'MELPHALAN', 'OTHER',
] as const;
export const CONDITIONING_INTENSITIES = ['MAC', 'RIC', 'NMA'] as const;
export const GRAFT_SOURCES = ['GPBMC', 'PBSC', 'BM', 'CORD'] as const;
export const GVHD_PROPHYLAXIS_AGENTS = [
  'PTCY', 'TACROLIMUS', 'CYCLOSPORINE', 'MMF', 'MTX', 'ATG', 'OTHER',
] as const;
export const LINEAGES = ['NEUTROPHIL', 'PLATELET'] as const;
export const AE_CATEGORIES = [
  'ACUTE_GVHD', 'CHRONIC_GVHD', 'INFECTION', 'ORGAN_DYSFUNCTION', 'HEMATOLOGICAL_TOXICITY', 'OTHER',
] as const;
export const CTCAE_GRADES = [1, 2, 3, 4, 5] as const;
export const ACUTE_GVHD_GRADES = ['I', 'II', 'III', 'IV'] as const;
export const CHRONIC_GVHD_GRADES = ['MILD', 'MODERATE', 'SEVERE'] as const;
export const GVHD_GRADES = [...ACUTE_GVHD_GRADES, ...CHRONIC_GVHD_GRADES] as const;
export const ATTRIBUTIONS = ['UNRELATED', 'UNLIKELY', 'POSSIBLE', 'PROBABLE', 'DEFINITE'] as const;
export const SUSPECTED_CAUSES = [
  'CHEMOTHERAPY', 'GPBMC', 'CONDITIONING', 'TRANSPLANT', 'GVHD_PROPHYLAXIS', 'OTHER',
] as const;
export const RELAPSE_KINDS = ['HEMATOLOGICAL', 'MOLECULAR', 'EXTRAMEDULLARY', 'PROGRESSION'] as const;
export const DEATH_CAUSES = ['RELAPSE', 'GVHD', 'INFECTION', 'ORGAN_FAILURE', 'OTHER'] as const;
export const WITHDRAWAL_REASONS = [
  'CONSENT_WITHDRAWN', 'LOST_TO_FOLLOW_UP', 'INVESTIGATOR_DECISION', 'OTHER',
] as const;

export type Sex = (typeof SEXES)[number];
export type DiagnosisType = (typeof DIAGNOSIS_TYPES)[number];
export type DiseaseStatus = (typeof DISEASE_STATUSES)[number];
export type RiskGroup = (typeof RISK_GROUPS)[number];
export type DonorRelation = (typeof DONOR_RELATIONS)[number];
export type TransplantDonorType = (typeof TRANSPLANT_DONOR_TYPES)[number];
export type Regimen = (typeof REGIMENS)[number];
export type Response = (typeof RESPONSES)[number];
export type ConditioningAgent = (typeof CONDITIONING_AGENTS)[number];
export type ConditioningIntensity = (typeof CONDITIONING_INTENSITIES)[number];
export type GraftSource = (typeof GRAFT_SOURCES)[number];
export type GvhdProphylaxisAgent = (typeof GVHD_PROPHYLAXIS_AGENTS)[number];
export type Lineage = (typeof LINEAGES)[number];
export type AeCategory = (typeof AE_CATEGORIES)[number];
export type CtcaeGrade = (typeof CTCAE_GRADES)[number];
export type AcuteGvhdGrade = (typeof ACUTE_GVHD_GRADES)[number];
export type ChronicGvhdGrade = (typeof CHRONIC_GVHD_GRADES)[number];
export type GvhdGrade = (typeof GVHD_GRADES)[number];
export type Attribution = (typeof ATTRIBUTIONS)[number];
export type SuspectedCause = (typeof SUSPECTED_CAUSES)[number];
export type RelapseKind = (typeof RELAPSE_KINDS)[number];
export type DeathCause = (typeof DEATH_CAUSES)[number];
export type WithdrawalReason = (typeof WITHDRAWAL_REASONS)[number];

export interface EligibilityExclusions {
  readonly uncontrolledInfectionOrHemorrhage: boolean;
  readonly significantCardiovascularDisease: boolean;
  readonly uncontrolledAutoimmuneDisease: boolean;
  readonly severeInfusionReactionHistory: boolean;
  readonly pregnantOrNursing: boolean;
  readonly psychiatricOrCognitiveImpairment: boolean;
  readonly majorSurgeryWithin4Weeks: boolean;
  readonly otherLifeThreateningIllness: boolean;
}

export interface PatientEnrolledData {
  readonly sex: Sex;
  readonly ageYears: number;
  readonly diagnosis: {
    readonly type: DiagnosisType;
    readonly who?: string;
    readonly status: DiseaseStatus;
    readonly riskGroup?: RiskGroup;
  };
  readonly consentSignedOn: ClinicalDate;
  readonly eligibility: {
    readonly altXUln: number;
    readonly astXUln: number;
    readonly bilirubinXUln: number;
    readonly creatinineXUln: number;
    readonly crClMlMin?: number;
    readonly lvefPercent: number;
    readonly exclusions: EligibilityExclusions;
  };
  readonly bridgingDonor: {
    readonly donorId: string;
    readonly ageYears: number;
    readonly relation: DonorRelation;
    readonly hlaMatch: string;
  };
  readonly transplantDonor: {
    readonly donorId: string;
    readonly ageYears: number;
    readonly type: TransplantDonorType;
    readonly hlaMatch: string;
  };
  readonly eligibilityWaiver?: { readonly reason: string };
}

export interface ChemotherapyStartedData {
  readonly regimen: Regimen;
  readonly regimenName?: string;
  readonly cycle?: number;
}

export interface GpbmcInfusedData {
  readonly donorId: string;
  readonly mncPerKg?: number;
  readonly cd34PerKg?: number;
  readonly cd3PerKg?: number;
}

export interface ResponseAssessedData {
  readonly response: Response;
  readonly mrdNegative?: boolean;
}

export interface ConditioningStartedData {
  readonly agents: readonly ConditioningAgent[];
  readonly intensity: ConditioningIntensity;
  readonly tbiGy?: number;
}

export interface StemCellsInfusedData {
  readonly donorId: string;
  readonly donorType: TransplantDonorType;
  readonly graftSource: GraftSource;
  readonly cd34PerKg?: number;
  readonly gvhdProphylaxis: readonly GvhdProphylaxisAgent[];
}

export interface EngraftmentRecordedData {
  readonly lineage: Lineage;
}

export interface AdverseEventReportedData {
  readonly aeId: string;
  readonly term: string;
  readonly category: AeCategory;
  readonly ctcaeGrade: CtcaeGrade;
  readonly gvhdGrade?: GvhdGrade;
  readonly systemicTherapy?: boolean;
  readonly serious: boolean;
  readonly attribution: Attribution;
  readonly suspectedCause?: SuspectedCause;
}

export interface AdverseEventUpdatedData {
  readonly aeId: string;
  readonly ctcaeGrade?: CtcaeGrade;
  readonly gvhdGrade?: GvhdGrade;
  readonly systemicTherapy?: boolean;
  readonly attribution?: Attribution;
  readonly resolvedOn?: ClinicalDate;
}

export interface RelapseDiagnosedData {
  readonly kind: RelapseKind;
}

export type FollowUpRecordedData = Readonly<Record<string, never>>;

export interface PatientDiedData {
  readonly cause: DeathCause;
  readonly treatmentRelated: boolean;
}

export interface PatientWithdrawnData {
  readonly reason: WithdrawalReason;
}

export interface EventCorrectedData {
  readonly targetEventId: string;
  readonly occurredOn?: ClinicalDate;
  /** The whole replacement `data` of the target's type. */
  readonly data?: ClinicalFactData;
  readonly reason: string;
}

export interface EventVoidedData {
  readonly targetEventId: string;
  readonly reason: string;
}

/** Data of each event type, by type name. The single source of the type list. */
export interface EventDataByType {
  PatientEnrolled: PatientEnrolledData;
  ChemotherapyStarted: ChemotherapyStartedData;
  GpbmcInfused: GpbmcInfusedData;
  ResponseAssessed: ResponseAssessedData;
  ConditioningStarted: ConditioningStartedData;
  StemCellsInfused: StemCellsInfusedData;
  EngraftmentRecorded: EngraftmentRecordedData;
  AdverseEventReported: AdverseEventReportedData;
  AdverseEventUpdated: AdverseEventUpdatedData;
  RelapseDiagnosed: RelapseDiagnosedData;
  FollowUpRecorded: FollowUpRecordedData;
  PatientDied: PatientDiedData;
  PatientWithdrawn: PatientWithdrawnData;
  EventCorrected: EventCorrectedData;
  EventVoided: EventVoidedData;
}

export type EventType = keyof EventDataByType;
export type CorrectionType = 'EventCorrected' | 'EventVoided';
/** Types that state a clinical fact and so carry an `occurredOn`. */
export type ClinicalFactType = Exclude<EventType, CorrectionType>;
export type ClinicalFactData = EventDataByType[ClinicalFactType];

export const EVENT_TYPES: readonly EventType[] = [
  'PatientEnrolled', 'ChemotherapyStarted', 'GpbmcInfused', 'ResponseAssessed',
  'ConditioningStarted', 'StemCellsInfused', 'EngraftmentRecorded', 'AdverseEventReported',
  'AdverseEventUpdated', 'RelapseDiagnosed', 'FollowUpRecorded', 'PatientDied',
  'PatientWithdrawn', 'EventCorrected', 'EventVoided',
];
export const CORRECTION_TYPES: readonly CorrectionType[] = ['EventCorrected', 'EventVoided'];

export function isCorrectionType(type: EventType): type is CorrectionType {
  return type === 'EventCorrected' || type === 'EventVoided';
}

/** A clinical fact as the domain sees it: what happened, and on which clinical date. */
export type ClinicalFact = {
  [T in ClinicalFactType]: {
    readonly eventId: string;
    readonly type: T;
    readonly occurredOn: ClinicalDate;
    readonly data: EventDataByType[T];
  };
}[ClinicalFactType];

/** A correction or a void: it changes the effective history, not the past record. */
export type CorrectionEvent = {
  [T in CorrectionType]: {
    readonly eventId: string;
    readonly type: T;
    readonly data: EventDataByType[T];
  };
}[CorrectionType];

/** Any event a client may send, before the system adds its envelope. */
export type ClinicalEvent = ClinicalFact | CorrectionEvent;

/** Who wrote an event: the API key's id and role, never the key itself. */
export interface Actor {
  readonly keyId: string;
  readonly role: string;
}

export interface EventMetadata {
  /** The person on whose behalf a clinical system wrote the event: ids only, no PHI. */
  readonly enteredBy?: { readonly userId: string; readonly site?: string };
  readonly source?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
}

/**
 * A stored event as the domain and the audit view see it: the client's event plus
 * what the system added when it stored it.
 */
export type RecordedEvent = ClinicalEvent & {
  readonly subjectId: string;
  readonly metadata: EventMetadata;
  readonly actor: Actor;
  /** UTC instant, ISO 8601 with milliseconds. */
  readonly recordedAt: string;
  /** 0-based position in the patient's stream. */
  readonly revision: number;
  /** Position in the global log: unique and increasing in log order. */
  readonly position: number;
  readonly schemaVersion: number;
};
