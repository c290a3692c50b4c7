import {
  TRANSPLANT_DONOR_TYPES,
  type EligibilityExclusions,
  type PatientEnrolledData,
  type TransplantDonorType,
} from '../events/clinical-event';
import type { FailedCriterion } from './rule-codes';

/** The protocol's inclusion limits (docs/clinical-rules.md section 4). */
export const ELIGIBILITY_LIMITS = {
  minAgeYears: 15,
  maxAltXUln: 3,
  maxAstXUln: 3,
  maxBilirubinXUln: 1.5,
  maxCreatinineXUln: 2,
  minCrClMlMin: 40,
  /** LVEF must be strictly above this. */
  lvefAbovePercent: 50,
  minDonorAgeYears: 18,
} as const;

export interface HlaMatch {
  readonly matched: number;
  readonly loci: number;
}

/** Reads an HLA match written `m/n` ("5/10"); null when it is not one. */
export function parseHlaMatch(text: string): HlaMatch | null {
  const found = /^\s*(\d{1,2})\s*\/\s*(\d{1,2})\s*$/.exec(text);
  if (!found) return null;
  const matched = Number(found[1]);
  const loci = Number(found[2]);
  return loci > 0 && matched <= loci ? { matched, loci } : null;
}

/**
 * Allele-level typing is reported over 8 (A, B, C, DRB1) or 10 (+ DQB1) alleles.
 * A transplant donor's match must agree with its declared type, as a statistician
 * auditing the CRF would check: MSD and MUD fully matched (10/10, 8/8); MMUD_9_10
 * exactly one mismatch (9/10, or 7/8 on the 8-allele scale); HAPLO at least half
 * matched and not fully (5/10..9/10, 4/8..7/8).
 */
const TRANSPLANT_LOCI = new Set([8, 10]);

function matchFitsDonorType(type: TransplantDonorType, { matched, loci }: HlaMatch): boolean {
  if (!TRANSPLANT_LOCI.has(loci)) return false;
  switch (type) {
    case 'MSD':
    case 'MUD':
      return matched === loci;
    case 'MMUD_9_10':
      return matched === loci - 1;
    case 'HAPLO':
      return matched * 2 >= loci && matched < loci;
    default: {
      const unknown: never = type;
      return unknown;
    }
  }
}

const EXPECTED_MATCH: Record<TransplantDonorType, string> = {
  MSD: '10/10 or 8/8',
  MUD: '10/10 or 8/8',
  MMUD_9_10: '9/10 or 7/8',
  HAPLO: '5/10 to 9/10 or 4/8 to 7/8',
};

/** Exclusion criteria in protocol order, each with its stable criterion name. */
const EXCLUSIONS: Record<keyof EligibilityExclusions, { readonly criterion: string; readonly text: string }> = {
  uncontrolledInfectionOrHemorrhage: { criterion: 'EXCLUSION_UNCONTROLLED_INFECTION_OR_HEMORRHAGE', text: 'uncontrolled infection or hemorrhage' },
  significantCardiovascularDisease: { criterion: 'EXCLUSION_SIGNIFICANT_CARDIOVASCULAR_DISEASE', text: 'significant cardiovascular disease' },
  uncontrolledAutoimmuneDisease: { criterion: 'EXCLUSION_UNCONTROLLED_AUTOIMMUNE_DISEASE', text: 'uncontrolled autoimmune disease' },
  severeInfusionReactionHistory: { criterion: 'EXCLUSION_SEVERE_INFUSION_REACTION_HISTORY', text: 'history of severe infusion reaction' },
  pregnantOrNursing: { criterion: 'EXCLUSION_PREGNANT_OR_NURSING', text: 'pregnant or nursing' },
  psychiatricOrCognitiveImpairment: { criterion: 'EXCLUSION_PSYCHIATRIC_OR_COGNITIVE_IMPAIRMENT', text: 'psychiatric or cognitive impairment' },
  majorSurgeryWithin4Weeks: { criterion: 'EXCLUSION_MAJOR_SURGERY_WITHIN_4_WEEKS', text: 'major surgery within 4 weeks' },
  otherLifeThreateningIllness: { criterion: 'EXCLUSION_OTHER_LIFE_THREATENING_ILLNESS', text: 'other life-threatening illness' },
};

/**
 * Every eligibility criterion the enrollment fails, in protocol order; empty when
 * eligible. Comparisons are written so that a missing or non-finite value fails.
 */
export function failedEligibilityCriteria(data: PatientEnrolledData): FailedCriterion[] {
  const L = ELIGIBILITY_LIMITS;
  const e = data.eligibility;
  const failed: FailedCriterion[] = [];
  const fail = (criterion: string, field: string, message: string, value: unknown): void => {
    failed.push({ criterion, field, message, value });
  };

  if (!(data.ageYears >= L.minAgeYears)) {
    fail('AGE_AT_LEAST_15', 'ageYears', `age ${data.ageYears} is under ${L.minAgeYears}`, data.ageYears);
  }
  if (!(e.altXUln <= L.maxAltXUln)) {
    fail('ALT_AT_MOST_3_ULN', 'eligibility.altXUln', `ALT ${e.altXUln} x ULN is above ${L.maxAltXUln} x ULN`, e.altXUln);
  }
  if (!(e.astXUln <= L.maxAstXUln)) {
    fail('AST_AT_MOST_3_ULN', 'eligibility.astXUln', `AST ${e.astXUln} x ULN is above ${L.maxAstXUln} x ULN`, e.astXUln);
  }
  if (!(e.bilirubinXUln <= L.maxBilirubinXUln)) {
    fail('BILIRUBIN_AT_MOST_1_5_ULN', 'eligibility.bilirubinXUln',
      `bilirubin ${e.bilirubinXUln} x ULN is above ${L.maxBilirubinXUln} x ULN`, e.bilirubinXUln);
  }
  const crClOk = e.crClMlMin !== undefined && e.crClMlMin >= L.minCrClMlMin;
  if (!(e.creatinineXUln <= L.maxCreatinineXUln) && !crClOk) {
    fail('RENAL_FUNCTION', 'eligibility.creatinineXUln',
      `creatinine ${e.creatinineXUln} x ULN is above ${L.maxCreatinineXUln} x ULN and CrCl ` +
        (e.crClMlMin === undefined ? 'is not given' : `${e.crClMlMin} mL/min is below ${L.minCrClMlMin}`),
      { creatinineXUln: e.creatinineXUln, crClMlMin: e.crClMlMin ?? null });
  }
  if (!(e.lvefPercent > L.lvefAbovePercent)) {
    fail('LVEF_ABOVE_50', 'eligibility.lvefPercent', `LVEF ${e.lvefPercent}% is not above ${L.lvefAbovePercent}%`, e.lvefPercent);
  }
  for (const [key, { criterion, text }] of Object.entries(EXCLUSIONS) as [keyof EligibilityExclusions, (typeof EXCLUSIONS)[keyof EligibilityExclusions]][]) {
    // Anything but a clear "no" excludes: an unanswered exclusion is not a pass.
    const answer = e.exclusions[key];
    if (answer !== false) fail(criterion, `eligibility.exclusions.${key}`, `exclusion ${answer === true ? 'answered yes' : 'not answered'}: ${text}`, answer);
  }

  const bridging = data.bridgingDonor;
  if (!(bridging.ageYears >= L.minDonorAgeYears)) {
    fail('BRIDGING_DONOR_AGE_AT_LEAST_18', 'bridgingDonor.ageYears',
      `bridging donor age ${bridging.ageYears} is under ${L.minDonorAgeYears}`, bridging.ageYears);
  }
  const bridgingMatch = parseHlaMatch(bridging.hlaMatch);
  if (!bridgingMatch || bridgingMatch.matched >= bridgingMatch.loci) {
    fail('BRIDGING_DONOR_HLA_MISMATCHED', 'bridgingDonor.hlaMatch',
      bridgingMatch ? `bridging donor HLA ${bridging.hlaMatch} is fully matched; the GPBMC donor must be HLA-mismatched`
        : `bridging donor HLA match "${bridging.hlaMatch}" is not written m/n`, bridging.hlaMatch);
  }

  const transplant = data.transplantDonor;
  if (!(transplant.ageYears >= L.minDonorAgeYears)) {
    fail('TRANSPLANT_DONOR_AGE_AT_LEAST_18', 'transplantDonor.ageYears',
      `transplant donor age ${transplant.ageYears} is under ${L.minDonorAgeYears}`, transplant.ageYears);
  }
  if (!TRANSPLANT_DONOR_TYPES.includes(transplant.type)) {
    fail('TRANSPLANT_DONOR_TYPE_QUALIFIED', 'transplantDonor.type',
      `transplant donor type ${String(transplant.type)} is not one of ${TRANSPLANT_DONOR_TYPES.join(', ')}`, transplant.type);
  } else {
    const match = parseHlaMatch(transplant.hlaMatch);
    if (!match || !matchFitsDonorType(transplant.type, match)) {
      fail('TRANSPLANT_DONOR_HLA_FITS_TYPE', 'transplantDonor.hlaMatch',
        `transplant donor HLA match "${transplant.hlaMatch}" does not fit type ${transplant.type} (expected ${EXPECTED_MATCH[transplant.type]})`,
        transplant.hlaMatch);
    }
  }
  return failed;
}

/** A waiver counts only with a reason: an auditor must be able to read why. */
export function hasEligibilityWaiver(data: PatientEnrolledData): boolean {
  return (data.eligibilityWaiver?.reason ?? '').trim().length > 0;
}
