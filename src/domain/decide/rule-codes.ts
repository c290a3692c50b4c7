import type { ClinicalDate, ClinicalFactType } from '../events/clinical-event';

/**
 * The clinical rules an append can break (docs/clinical-rules.md section 4), by stable code.
 * Clients branch on these codes, so a code is never renamed or reused.
 */
export const RULE_CODES = {
  FIRST_EVENT_NOT_ENROLLMENT: 'the stream has no enrollment, or an event stands before the enrollment in clinical order',
  ALREADY_ENROLLED: 'the patient is already enrolled',
  INELIGIBLE: 'the enrollment fails eligibility criteria and carries no waiver with a reason; every failed criterion is listed',
  CONSENT_AFTER_ENROLLMENT: 'consent is dated after the enrollment (not waivable: no study procedure before consent)',
  DATE_BEFORE_ENROLLMENT: 'a clinical date before the enrollment date',
  DATE_AFTER_DEATH: 'a clinical date after the date of death (the date of death itself is allowed)',
  DATE_IN_FUTURE: 'a clinical date after today (UTC) + 1 day',
  DAY0_ALREADY_RECORDED: 'a second Day 0: a wrong Day 0 is corrected, not repeated',
  ALREADY_DEAD: 'a second death',
  ALREADY_WITHDRAWN: 'a second withdrawal',
  EVENT_AFTER_WITHDRAWAL: 'after withdrawal only follow-up contacts, death and updates of known AEs are recorded',
  ENGRAFTMENT_ALREADY_RECORDED: 'engraftment of that lineage is already recorded: it is the first qualifying day, once',
  ENGRAFTMENT_NOT_AFTER_DAY0: 'engraftment dated on or before Day 0',
  ENGRAFTMENT_WITHOUT_DAY0: 'an engraftment with no Day 0 in the effective history; only ever a cause of CORRECTION_BREAKS_RULES, as an engraftment may be entered before its Day 0',
  DUPLICATE_AE_ID: 'an AE id already reported in the stream',
  AE_NOT_FOUND: 'an AE update whose AE id was never reported',
  AE_UPDATE_BEFORE_ONSET: 'an AE update dated before the onset of its AE',
  AE_RESOLVED_BEFORE_ONSET: 'an AE resolution date before the onset of its AE',
  AE_GVHD_GRADE_NOT_FOR_CATEGORY: "an AE update's gvhdGrade does not fit the AE's category in force: ACUTE_GVHD takes a MAGIC grade I-IV, CHRONIC_GVHD an NIH grade MILD/MODERATE/SEVERE, other categories none",
  AE_SYSTEMIC_THERAPY_NOT_FOR_CATEGORY: "an AE update gives systemicTherapy, but the AE's category in force is not CHRONIC_GVHD",
  DUPLICATE_EVENT_ID: 'the event id is already in the stream or earlier in the batch',
  TARGET_NOT_FOUND: 'a correction or void whose target event is not in the stream',
  CORRECTION_OF_CORRECTION: 'a correction or void that targets a correction or a void',
  TARGET_VOIDED: 'a correction or void whose target is already voided',
  CORRECTION_BREAKS_RULES: 'the effective history a correction or void would leave breaks the rules listed as causes, each naming the event at fault',
} as const;

export type RuleCode = keyof typeof RULE_CODES;

/** One failed eligibility criterion of an INELIGIBLE enrollment. */
export interface FailedCriterion {
  /** Stable UPPER_SNAKE name of the criterion, e.g. `ALT_AT_MOST_3_ULN`. */
  readonly criterion: string;
  /** Path of the offending value inside the enrollment's `data`. */
  readonly field: string;
  readonly message: string;
  readonly value?: unknown;
}

export interface RuleViolation {
  readonly code: RuleCode;
  readonly message: string;
  /** Index in the submitted batch. */
  readonly eventIndex: number;
  /** The submitted event; in `causes`, the effective event that would break the rule. */
  readonly eventId: string;
  /** In `causes`: the type and clinical date of the event at fault, as it would stand. */
  readonly eventType?: ClinicalFactType;
  readonly occurredOn?: ClinicalDate;
  /** The other event the rule is about, when there is one (the Day 0 already recorded, the death, the target). */
  readonly relatedEventId?: string;
  /** Which field of the event is at fault, when it is not `occurredOn`. */
  readonly field?: 'data.resolvedOn' | 'data.consentSignedOn' | 'data.gvhdGrade' | 'data.systemicTherapy';
  /** For INELIGIBLE: every failed criterion. */
  readonly criteria?: readonly FailedCriterion[];
  /** For CORRECTION_BREAKS_RULES: what the corrected history would break. */
  readonly causes?: readonly RuleViolation[];
}
