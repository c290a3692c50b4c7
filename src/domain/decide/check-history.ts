import { addDays } from '../calendar/clinical-date';
import { ACUTE_GVHD_GRADES, CHRONIC_GVHD_GRADES, type AeCategory, type ClinicalDate, type ClinicalFactType, type GvhdGrade, type Lineage } from '../events/clinical-event';
import { compareClinicalOrder, type EffectiveEvent } from '../history/effective-history';
import { failedEligibilityCriteria, hasEligibilityWaiver } from './eligibility';
import type { FailedCriterion, RuleCode, RuleViolation } from './rule-codes';

/** A rule broken by one event of an effective history. */
export interface HistoryViolation {
  readonly code: RuleCode;
  /** The effective event that breaks the rule. */
  readonly eventId: string;
  /** The event it conflicts with: the enrollment, the death, the first Day 0, the AE report... */
  readonly relatedEventId?: string;
  /** Which field of the event is at fault, when it is not `occurredOn`. */
  readonly field?: RuleViolation['field'];
  readonly message: string;
  readonly criteria?: readonly FailedCriterion[];
}

/**
 * What may still be recorded after a withdrawal: survival status is still collected
 * (follow-up contacts, death) and AEs already reported are followed to resolution.
 * New treatment steps, new AEs and relapses are not study data once the patient is
 * off study; a patient who comes back is handled by voiding the withdrawal.
 */
const ALLOWED_AFTER_WITHDRAWAL: ReadonlySet<ClinicalFactType> = new Set(['FollowUpRecorded', 'PatientDied', 'AdverseEventUpdated']);

const label = (e: EffectiveEvent): string => `${e.type} ${e.eventId} of ${e.occurredOn}`;

type AeReport = Extract<EffectiveEvent, { type: 'AdverseEventReported' }>;
type AeUpdate = Extract<EffectiveEvent, { type: 'AdverseEventUpdated' }>;

/** The GVHD grades an AE of each category takes (as the initial report is validated at the edge); none for the others. */
const GVHD_GRADES_BY_CATEGORY: Partial<Record<AeCategory, { readonly grades: readonly GvhdGrade[]; readonly scale: string }>> = {
  ACUTE_GVHD: { grades: ACUTE_GVHD_GRADES, scale: 'a MAGIC grade' },
  CHRONIC_GVHD: { grades: CHRONIC_GVHD_GRADES, scale: 'an NIH grade' },
};

/**
 * An update's GVHD grade and systemic therapy must fit its AE's category, as the initial
 * report's do. The category is the report's as in force (corrections applied): an update
 * cannot change it, a correction of the report can, and then the updates are checked again.
 */
function checkGvhdFields(
  update: AeUpdate,
  report: AeReport,
  add: (code: RuleCode, e: EffectiveEvent, message: string, extra?: Partial<HistoryViolation>) => void,
): void {
  const { aeId, gvhdGrade, systemicTherapy } = update.data;
  const category = report.data.category;
  const extra = { relatedEventId: report.eventId };
  if (gvhdGrade !== undefined) {
    const fit = GVHD_GRADES_BY_CATEGORY[category];
    if (!fit) {
      add('AE_GVHD_GRADE_NOT_FOR_CATEGORY', update, `AE ${aeId} is ${category} and takes no gvhdGrade (only ACUTE_GVHD and CHRONIC_GVHD do); ` +
        `${label(update)} gives gvhdGrade ${gvhdGrade}`, { ...extra, field: 'data.gvhdGrade' });
    } else if (!fit.grades.includes(gvhdGrade)) {
      add('AE_GVHD_GRADE_NOT_FOR_CATEGORY', update, `AE ${aeId} is ${category} and takes ${fit.scale} (${fit.grades.join(', ')}) as gvhdGrade; ` +
        `${label(update)} gives gvhdGrade ${gvhdGrade}`, { ...extra, field: 'data.gvhdGrade' });
    }
  }
  if (systemicTherapy !== undefined && category !== 'CHRONIC_GVHD') {
    add('AE_SYSTEMIC_THERAPY_NOT_FOR_CATEGORY', update, `AE ${aeId} is ${category} and systemicTherapy is recorded only for CHRONIC_GVHD; ` +
      `${label(update)} gives systemicTherapy ${String(systemicTherapy)}`, { ...extra, field: 'data.systemicTherapy' });
  }
}

/**
 * The key of the events among which only the one recorded first counts (the others are
 * duplicates): its type, the lineage of an engraftment, the id of an AE report.
 */
export function ruleKey(e: EffectiveEvent): string {
  if (e.type === 'EngraftmentRecorded') return `EngraftmentRecorded:${e.data.lineage}`;
  if (e.type === 'AdverseEventReported') return `AE:${e.data.aeId}`;
  return e.type;
}

/**
 * Every rule of docs/clinical-rules.md section 4 checked over a whole effective history, as if it had been
 * entered in clinical order. A history this finds nothing wrong in is one the service
 * may hold; `decide` lets a new fact leave only ENGRAFTMENT_WITHOUT_DAY0 standing (the
 * Day 0 may still be on its way), never a correction or a void. Events that must be unique (enrollment,
 * Day 0, death, withdrawal, engraftment per lineage, AE id) are anchored on the one
 * recorded first (lowest revision): the later ones are the duplicates. Linear in the
 * number of events.
 */
export function checkHistory(effective: readonly EffectiveEvent[], today: ClinicalDate): HistoryViolation[] {
  const latestAllowed = addDays(today, 1);
  const firstRecorded = new Map<string, EffectiveEvent>();
  const anchor = (key: string, e: EffectiveEvent): void => {
    const known = firstRecorded.get(key);
    if (!known || e.revision < known.revision) firstRecorded.set(key, e);
  };
  for (const e of effective) anchor(ruleKey(e), e);
  const enrollment = firstRecorded.get('PatientEnrolled');
  const day0 = firstRecorded.get('StemCellsInfused');
  const death = firstRecorded.get('PatientDied');
  const withdrawal = firstRecorded.get('PatientWithdrawn');

  const violations: HistoryViolation[] = [];
  const add = (code: RuleCode, e: EffectiveEvent, message: string, extra: Partial<HistoryViolation> = {}): void => {
    violations.push({ code, eventId: e.eventId, message, ...extra });
  };
  const duplicateOf = (key: string, e: EffectiveEvent): EffectiveEvent | null => {
    const first = firstRecorded.get(key);
    return first && first !== e ? first : null;
  };

  for (const e of effective) {
    if (e.occurredOn > latestAllowed) {
      add('DATE_IN_FUTURE', e, `${label(e)} is dated after today (${today}) + 1 day`);
    }
    if (!enrollment) {
      add('FIRST_EVENT_NOT_ENROLLMENT', e, `${label(e)} has no enrollment before it`);
    } else if (e.type !== 'PatientEnrolled' && e.occurredOn < enrollment.occurredOn) {
      add('DATE_BEFORE_ENROLLMENT', e, `${label(e)} is dated before the enrollment of ${enrollment.occurredOn}`, { relatedEventId: enrollment.eventId });
    } else if (e.type !== 'PatientEnrolled' && compareClinicalOrder(e, enrollment) < 0) {
      add('FIRST_EVENT_NOT_ENROLLMENT', e, `${label(e)} was recorded before the enrollment of the same date`, { relatedEventId: enrollment.eventId });
    }
    if (death && e.type !== 'PatientDied' && e.occurredOn > death.occurredOn) {
      add('DATE_AFTER_DEATH', e, `${label(e)} is dated after the death on ${death.occurredOn}`, { relatedEventId: death.eventId });
    }
    if (withdrawal && e.type !== 'PatientWithdrawn' && e.occurredOn > withdrawal.occurredOn && !ALLOWED_AFTER_WITHDRAWAL.has(e.type)) {
      add('EVENT_AFTER_WITHDRAWAL', e, `${label(e)} is dated after the withdrawal on ${withdrawal.occurredOn}; ` +
        'only follow-up contacts, death and updates of reported AEs are recorded after withdrawal', { relatedEventId: withdrawal.eventId });
    }

    switch (e.type) {
      case 'PatientEnrolled': {
        const first = duplicateOf('PatientEnrolled', e);
        if (first) {
          add('ALREADY_ENROLLED', e, `${label(e)}: the patient is already enrolled by ${first.eventId}`, { relatedEventId: first.eventId });
          break;
        }
        if (e.data.consentSignedOn > e.occurredOn) {
          add('CONSENT_AFTER_ENROLLMENT', e, `consent signed on ${e.data.consentSignedOn}, after the enrollment on ${e.occurredOn}`, { field: 'data.consentSignedOn' });
        }
        if (!hasEligibilityWaiver(e.data)) {
          const criteria = failedEligibilityCriteria(e.data);
          if (criteria.length > 0) {
            add('INELIGIBLE', e, `enrollment fails ${criteria.length} eligibility criteri${criteria.length === 1 ? 'on' : 'a'} and gives no waiver with a reason: ` +
              criteria.map((c) => c.criterion).join(', '), { criteria });
          }
        }
        break;
      }
      case 'StemCellsInfused': {
        const first = duplicateOf('StemCellsInfused', e);
        if (first) {
          add('DAY0_ALREADY_RECORDED', e, `${label(e)}: Day 0 is already recorded by ${first.eventId} on ${first.occurredOn}; correct it instead`, { relatedEventId: first.eventId });
        }
        break;
      }
      case 'PatientDied': {
        const first = duplicateOf('PatientDied', e);
        if (first) add('ALREADY_DEAD', e, `${label(e)}: death is already recorded by ${first.eventId} on ${first.occurredOn}`, { relatedEventId: first.eventId });
        break;
      }
      case 'PatientWithdrawn': {
        const first = duplicateOf('PatientWithdrawn', e);
        if (first) add('ALREADY_WITHDRAWN', e, `${label(e)}: withdrawal is already recorded by ${first.eventId} on ${first.occurredOn}`, { relatedEventId: first.eventId });
        break;
      }
      case 'EngraftmentRecorded': {
        const lineage: Lineage = e.data.lineage;
        const first = duplicateOf(`EngraftmentRecorded:${lineage}`, e);
        if (first) {
          add('ENGRAFTMENT_ALREADY_RECORDED', e, `${label(e)}: ${lineage} engraftment is already recorded by ${first.eventId} on ${first.occurredOn}`, { relatedEventId: first.eventId });
        }
        if (!day0) {
          add('ENGRAFTMENT_WITHOUT_DAY0', e, `${label(e)} has no Day 0 to follow`);
        } else if (e.occurredOn <= day0.occurredOn) {
          add('ENGRAFTMENT_NOT_AFTER_DAY0', e, `${label(e)} is not after Day 0 (${day0.occurredOn})`, { relatedEventId: day0.eventId });
        }
        break;
      }
      case 'AdverseEventReported': {
        const first = duplicateOf(`AE:${e.data.aeId}`, e);
        if (first) add('DUPLICATE_AE_ID', e, `${label(e)}: AE id ${e.data.aeId} is also reported by ${first.eventId}`, { relatedEventId: first.eventId });
        break;
      }
      case 'AdverseEventUpdated': {
        const report = firstRecorded.get(`AE:${e.data.aeId}`);
        if (!report) {
          add('AE_NOT_FOUND', e, `${label(e)} updates AE id ${e.data.aeId}, which is not reported in this stream`);
          break;
        }
        const onset = report.occurredOn;
        if (report.type === 'AdverseEventReported') checkGvhdFields(e, report, add);
        if (e.occurredOn < onset) {
          add('AE_UPDATE_BEFORE_ONSET', e, `${label(e)} is dated before the onset of AE ${e.data.aeId} on ${onset}`, { relatedEventId: report.eventId });
        }
        const resolvedOn = e.data.resolvedOn;
        if (resolvedOn !== undefined) {
          if (resolvedOn < onset) {
            add('AE_RESOLVED_BEFORE_ONSET', e, `AE ${e.data.aeId} resolved on ${resolvedOn}, before its onset on ${onset}`, { relatedEventId: report.eventId, field: 'data.resolvedOn' });
          }
          if (resolvedOn > latestAllowed) {
            add('DATE_IN_FUTURE', e, `AE ${e.data.aeId} resolved on ${resolvedOn}, after today (${today}) + 1 day`, { field: 'data.resolvedOn' });
          }
          if (death && resolvedOn > death.occurredOn) {
            add('DATE_AFTER_DEATH', e, `AE ${e.data.aeId} resolved on ${resolvedOn}, after the death on ${death.occurredOn}`, { relatedEventId: death.eventId, field: 'data.resolvedOn' });
          }
        }
        break;
      }
      case 'ChemotherapyStarted':
      case 'GpbmcInfused':
      case 'ResponseAssessed':
      case 'ConditioningStarted':
      case 'RelapseDiagnosed':
      case 'FollowUpRecorded':
        break;
      default: {
        const unexpected: never = e;
        throw new Error(`unknown event type ${(unexpected as EffectiveEvent).type}`);
      }
    }
  }
  return violations;
}
