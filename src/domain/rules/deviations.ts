import type { ClinicalDate } from '../events/clinical-event';
import type { EffectiveEvent } from '../history/effective-history';

/** Protocol deviations: accepted, but the record must show them (docs/clinical-rules.md section 4). */
export type DeviationCode =
  | 'ELIGIBILITY_WAIVED'
  | 'GPBMC_WITHOUT_CHEMOTHERAPY'
  | 'CONDITIONING_WITHOUT_GPBMC'
  | 'DAY0_WITHOUT_CONDITIONING'
  | 'MILESTONE_VISIT_OVERDUE';

export interface Deviation {
  readonly code: DeviationCode;
  /** Clinical date the deviation arose on. */
  readonly date: ClinicalDate;
  /** The event that raised it, when one did (an overdue visit is raised by absence). */
  readonly eventId?: string;
  /** For MILESTONE_VISIT_OVERDUE: the milestone day (30, 100, 182, 365, 730). */
  readonly milestoneDay?: number;
  readonly message: string;
}

/** Which step must precede which; the protocol's order of treatment. */
const PRECEDED_BY = {
  GpbmcInfused: { by: 'ChemotherapyStarted', code: 'GPBMC_WITHOUT_CHEMOTHERAPY', what: 'GPBMC infusion without preceding chemotherapy' },
  ConditioningStarted: { by: 'GpbmcInfused', code: 'CONDITIONING_WITHOUT_GPBMC', what: 'conditioning without a preceding GPBMC infusion' },
  StemCellsInfused: { by: 'ConditioningStarted', code: 'DAY0_WITHOUT_CONDITIONING', what: 'Day 0 without conditioning' },
} as const;

/**
 * The deviations that follow from the effective history alone, whatever today is.
 * A step counts as preceded when its predecessor stands earlier in clinical order
 * (an earlier date, or the same date entered before it). Overdue visits depend on
 * the as-of date and are derived with the rest of the projection.
 */
export function structuralDeviations(history: readonly EffectiveEvent[]): Deviation[] {
  const deviations: Deviation[] = [];
  const seen = new Set<string>();
  for (const event of history) {
    if (event.type === 'PatientEnrolled' && event.data.eligibilityWaiver) {
      deviations.push({
        code: 'ELIGIBILITY_WAIVED',
        date: event.occurredOn,
        eventId: event.eventId,
        message: `eligibility waived: ${event.data.eligibilityWaiver.reason}`,
      });
    }
    if (event.type === 'GpbmcInfused' || event.type === 'ConditioningStarted' || event.type === 'StemCellsInfused') {
      const rule = PRECEDED_BY[event.type];
      if (!seen.has(rule.by)) {
        deviations.push({ code: rule.code, date: event.occurredOn, eventId: event.eventId, message: rule.what });
      }
    }
    seen.add(event.type);
  }
  return deviations;
}
