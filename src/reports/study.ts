/** The trial every dataset belongs to (docs/clinical-rules.md: NCT07297173). */
export const STUDY_ID = 'NCT07297173';

/** CDISC unique subject id: the study id and the trial's pseudonymous subject id. */
export function usubjid(subjectId: string): string {
  return `${STUDY_ID}-${subjectId}`;
}

export const ORIGINS = ['TRANSPLANT', 'ENROLLMENT'] as const;
/** Time zero of a time-to-event analysis: Day 0 (graft infusion) or enrollment. */
export type Origin = (typeof ORIGINS)[number];

export const ENDPOINT_CODES = ['OS', 'PFS', 'GRFS'] as const;
export type EndpointCode = (typeof ENDPOINT_CODES)[number];
