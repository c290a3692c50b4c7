import fc from 'fast-check';
import type { EligibilityExclusions } from '../events/clinical-event';
import { arbEligibleEnrollmentData, enrollmentData, NO_EXCLUSIONS, type EnrollmentOverrides } from '../testing/journey.fixtures';
import { failedEligibilityCriteria, hasEligibilityWaiver, parseHlaMatch } from './eligibility';

const failed = (overrides: EnrollmentOverrides): string[] => failedEligibilityCriteria(enrollmentData('2025-03-01', overrides)).map((c) => c.criterion);

describe('failedEligibilityCriteria', () => {
  it('passes the default synthetic enrollment', () => {
    expect(failed({})).toEqual([]);
  });

  it.each<[string, EnrollmentOverrides, string[]]>([
    ['age 14', { ageYears: 14 }, ['AGE_AT_LEAST_15']],
    ['age 15', { ageYears: 15 }, []],
    ['ALT 3.0 x ULN', { eligibility: { altXUln: 3.0 } }, []],
    ['ALT 3.01 x ULN', { eligibility: { altXUln: 3.01 } }, ['ALT_AT_MOST_3_ULN']],
    ['AST 3.0 x ULN', { eligibility: { astXUln: 3.0 } }, []],
    ['AST 3.01 x ULN', { eligibility: { astXUln: 3.01 } }, ['AST_AT_MOST_3_ULN']],
    ['bilirubin 1.5 x ULN', { eligibility: { bilirubinXUln: 1.5 } }, []],
    ['bilirubin 1.51 x ULN', { eligibility: { bilirubinXUln: 1.51 } }, ['BILIRUBIN_AT_MOST_1_5_ULN']],
    ['creatinine 2.0 x ULN without CrCl', { eligibility: { creatinineXUln: 2.0, crClMlMin: undefined } }, []],
    ['creatinine 2.0 x ULN with CrCl 39', { eligibility: { creatinineXUln: 2.0, crClMlMin: 39 } }, []],
    ['creatinine 2.01 x ULN with CrCl 40', { eligibility: { creatinineXUln: 2.01, crClMlMin: 40 } }, []],
    ['creatinine 2.01 x ULN with CrCl 39', { eligibility: { creatinineXUln: 2.01, crClMlMin: 39 } }, ['RENAL_FUNCTION']],
    ['creatinine 2.01 x ULN without CrCl', { eligibility: { creatinineXUln: 2.01, crClMlMin: undefined } }, ['RENAL_FUNCTION']],
    ['LVEF 50%', { eligibility: { lvefPercent: 50 } }, ['LVEF_ABOVE_50']],
    ['LVEF 50.5%', { eligibility: { lvefPercent: 50.5 } }, []],
    ['LVEF 51%', { eligibility: { lvefPercent: 51 } }, []],
    ['bridging donor aged 17', { bridgingDonor: { ageYears: 17 } }, ['BRIDGING_DONOR_AGE_AT_LEAST_18']],
    ['bridging donor aged 18', { bridgingDonor: { ageYears: 18 } }, []],
    ['transplant donor aged 17', { transplantDonor: { ageYears: 17 } }, ['TRANSPLANT_DONOR_AGE_AT_LEAST_18']],
    ['transplant donor aged 18', { transplantDonor: { ageYears: 18 } }, []],
    ['bridging donor 10/10', { bridgingDonor: { hlaMatch: '10/10' } }, ['BRIDGING_DONOR_HLA_MISMATCHED']],
    ['bridging donor 9/10', { bridgingDonor: { hlaMatch: '9/10' } }, []],
    ['bridging donor 0/10', { bridgingDonor: { hlaMatch: '0/10' } }, []],
    ['bridging donor "haplo"', { bridgingDonor: { hlaMatch: 'haplo' } }, ['BRIDGING_DONOR_HLA_MISMATCHED']],
    ['MSD 10/10', { transplantDonor: { type: 'MSD', hlaMatch: '10/10' } }, []],
    ['MSD 8/8', { transplantDonor: { type: 'MSD', hlaMatch: '8/8' } }, []],
    ['MSD 9/10', { transplantDonor: { type: 'MSD', hlaMatch: '9/10' } }, ['TRANSPLANT_DONOR_HLA_FITS_TYPE']],
    ['MUD 10/10', { transplantDonor: { type: 'MUD', hlaMatch: '10/10' } }, []],
    ['MUD 6/6 (antigen-level, not accepted)', { transplantDonor: { type: 'MUD', hlaMatch: '6/6' } }, ['TRANSPLANT_DONOR_HLA_FITS_TYPE']],
    ['MMUD_9_10 9/10', { transplantDonor: { type: 'MMUD_9_10', hlaMatch: '9/10' } }, []],
    ['MMUD_9_10 7/8', { transplantDonor: { type: 'MMUD_9_10', hlaMatch: '7/8' } }, []],
    ['MMUD_9_10 10/10', { transplantDonor: { type: 'MMUD_9_10', hlaMatch: '10/10' } }, ['TRANSPLANT_DONOR_HLA_FITS_TYPE']],
    ['MMUD_9_10 8/10', { transplantDonor: { type: 'MMUD_9_10', hlaMatch: '8/10' } }, ['TRANSPLANT_DONOR_HLA_FITS_TYPE']],
    ['HAPLO 5/10', { transplantDonor: { type: 'HAPLO', hlaMatch: '5/10' } }, []],
    ['HAPLO 9/10', { transplantDonor: { type: 'HAPLO', hlaMatch: '9/10' } }, []],
    ['HAPLO 4/8', { transplantDonor: { type: 'HAPLO', hlaMatch: '4/8' } }, []],
    ['HAPLO 4/10', { transplantDonor: { type: 'HAPLO', hlaMatch: '4/10' } }, ['TRANSPLANT_DONOR_HLA_FITS_TYPE']],
    ['HAPLO 10/10', { transplantDonor: { type: 'HAPLO', hlaMatch: '10/10' } }, ['TRANSPLANT_DONOR_HLA_FITS_TYPE']],
    ['an unqualified donor type', { transplantDonor: { type: 'CORD' as never } }, ['TRANSPLANT_DONOR_TYPE_QUALIFIED']],
  ])('given %s, fails %j', (_name, overrides, expected) => {
    expect(failed(overrides)).toEqual(expected);
  });

  it.each(Object.keys(NO_EXCLUSIONS) as (keyof EligibilityExclusions)[])('given exclusion %s answered yes, fails it', (key) => {
    const [criterion, ...others] = failedEligibilityCriteria(enrollmentData('2025-03-01', { eligibility: { exclusions: { [key]: true } } }));
    expect(others).toEqual([]);
    expect(criterion).toMatchObject({ criterion: expect.stringMatching(/^EXCLUSION_[A-Z0-9_]+$/), field: `eligibility.exclusions.${key}`, value: true });
  });

  it('lists every criterion when all fail at once, each with its field and value', () => {
    const all = failedEligibilityCriteria(enrollmentData('2025-03-01', {
      ageYears: 14,
      eligibility: {
        altXUln: 3.5, astXUln: 4, bilirubinXUln: 2, creatinineXUln: 2.5, crClMlMin: 30, lvefPercent: 45,
        exclusions: Object.fromEntries(Object.keys(NO_EXCLUSIONS).map((k) => [k, true])),
      },
      bridgingDonor: { ageYears: 17, hlaMatch: '10/10' },
      transplantDonor: { ageYears: 16, type: 'MSD', hlaMatch: '5/10' },
    }));
    expect(all.map((c) => c.criterion)).toEqual([
      'AGE_AT_LEAST_15', 'ALT_AT_MOST_3_ULN', 'AST_AT_MOST_3_ULN', 'BILIRUBIN_AT_MOST_1_5_ULN', 'RENAL_FUNCTION', 'LVEF_ABOVE_50',
      'EXCLUSION_UNCONTROLLED_INFECTION_OR_HEMORRHAGE', 'EXCLUSION_SIGNIFICANT_CARDIOVASCULAR_DISEASE', 'EXCLUSION_UNCONTROLLED_AUTOIMMUNE_DISEASE',
      'EXCLUSION_SEVERE_INFUSION_REACTION_HISTORY', 'EXCLUSION_PREGNANT_OR_NURSING', 'EXCLUSION_PSYCHIATRIC_OR_COGNITIVE_IMPAIRMENT',
      'EXCLUSION_MAJOR_SURGERY_WITHIN_4_WEEKS', 'EXCLUSION_OTHER_LIFE_THREATENING_ILLNESS',
      'BRIDGING_DONOR_AGE_AT_LEAST_18', 'BRIDGING_DONOR_HLA_MISMATCHED', 'TRANSPLANT_DONOR_AGE_AT_LEAST_18', 'TRANSPLANT_DONOR_HLA_FITS_TYPE',
    ]);
    expect(all[0]).toEqual({ criterion: 'AGE_AT_LEAST_15', field: 'ageYears', message: 'age 14 is under 15', value: 14 });
    expect(all[4]).toMatchObject({ field: 'eligibility.creatinineXUln', value: { creatinineXUln: 2.5, crClMlMin: 30 } });
  });

  it('fails a criterion whose value is not a number, rather than passing it', () => {
    expect(failed({ eligibility: { altXUln: Number.NaN } })).toEqual(['ALT_AT_MOST_3_ULN']);
  });

  it('passes every generated eligible enrollment, and fails exactly the one criterion pushed past its limit', () => {
    const pushes: [string, (d: ReturnType<typeof enrollmentData>) => ReturnType<typeof enrollmentData>][] = [
      ['AGE_AT_LEAST_15', (d) => ({ ...d, ageYears: 14 })],
      ['ALT_AT_MOST_3_ULN', (d) => ({ ...d, eligibility: { ...d.eligibility, altXUln: 3.01 } })],
      ['AST_AT_MOST_3_ULN', (d) => ({ ...d, eligibility: { ...d.eligibility, astXUln: 3.01 } })],
      ['BILIRUBIN_AT_MOST_1_5_ULN', (d) => ({ ...d, eligibility: { ...d.eligibility, bilirubinXUln: 1.51 } })],
      ['RENAL_FUNCTION', (d) => ({ ...d, eligibility: { ...d.eligibility, creatinineXUln: 2.01, crClMlMin: 39 } })],
      ['LVEF_ABOVE_50', (d) => ({ ...d, eligibility: { ...d.eligibility, lvefPercent: 50 } })],
      ['BRIDGING_DONOR_AGE_AT_LEAST_18', (d) => ({ ...d, bridgingDonor: { ...d.bridgingDonor, ageYears: 17 } })],
      ['TRANSPLANT_DONOR_AGE_AT_LEAST_18', (d) => ({ ...d, transplantDonor: { ...d.transplantDonor, ageYears: 17 } })],
      ['BRIDGING_DONOR_HLA_MISMATCHED', (d) => ({ ...d, bridgingDonor: { ...d.bridgingDonor, hlaMatch: '10/10' } })],
    ];
    fc.assert(fc.property(arbEligibleEnrollmentData(), fc.constantFrom(...pushes), (generated, [criterion, push]) => {
      const data = { ...generated, consentSignedOn: '2025-03-01' };
      expect(failedEligibilityCriteria(data)).toEqual([]);
      expect(failedEligibilityCriteria(push(data)).map((c) => c.criterion)).toEqual([criterion]);
    }));
  });
});

describe('parseHlaMatch', () => {
  it.each([
    ['5/10', { matched: 5, loci: 10 }],
    [' 9 / 10 ', { matched: 9, loci: 10 }],
    ['0/8', { matched: 0, loci: 8 }],
    ['11/10', null],
    ['5/0', null],
    ['5-10', null],
    ['', null],
  ])('reads %j as %j', (text, expected) => {
    expect(parseHlaMatch(text)).toEqual(expected);
  });
});

describe('hasEligibilityWaiver', () => {
  it.each([
    ['no waiver', false, {}],
    ['a blank reason', false, { eligibilityWaiver: { reason: '   ' } }],
    ['a reason', true, { eligibilityWaiver: { reason: 'LVEF 48%, cardiology cleared' } }],
  ])('given %s, is %s', (_name, expected, overrides) => {
    expect(hasEligibilityWaiver(enrollmentData('2025-03-01', overrides))).toBe(expected);
  });
});
