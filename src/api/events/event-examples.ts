import type { EventType } from '../../domain/events/clinical-event';

/**
 * One synthetic example of each event type, shown in the OpenAPI document. Values are
 * made up (no real patient); ids are placeholders. Checked against the validators by a spec.
 */
export const EVENT_EXAMPLES: { readonly [T in EventType]: { readonly occurredOn?: string; readonly data: object } } = {
  PatientEnrolled: {
    occurredOn: '2026-03-02',
    data: {
      sex: 'FEMALE',
      ageYears: 47,
      diagnosis: { type: 'AML', who: 'AML with mutated NPM1', status: 'REFRACTORY', riskGroup: 'ADVERSE' },
      consentSignedOn: '2026-02-26',
      eligibility: {
        altXUln: 1.1, astXUln: 0.9, bilirubinXUln: 0.7, creatinineXUln: 0.9, crClMlMin: 88, lvefPercent: 60,
        exclusions: {
          uncontrolledInfectionOrHemorrhage: false, significantCardiovascularDisease: false, uncontrolledAutoimmuneDisease: false,
          severeInfusionReactionHistory: false, pregnantOrNursing: false, psychiatricOrCognitiveImpairment: false,
          majorSurgeryWithin4Weeks: false, otherLifeThreateningIllness: false,
        },
      },
      bridgingDonor: { donorId: 'SYN-BD-01', ageYears: 29, relation: 'UNRELATED', hlaMatch: '4/10' },
      transplantDonor: { donorId: 'SYN-TD-01', ageYears: 51, type: 'HAPLO', hlaMatch: '5/10' },
    },
  },
  ChemotherapyStarted: { occurredOn: '2026-03-04', data: { regimen: 'FLAG', cycle: 1 } },
  GpbmcInfused: { occurredOn: '2026-03-10', data: { donorId: 'SYN-BD-01', mncPerKg: 1.1e8, cd34PerKg: 1.4e6, cd3PerKg: 3.9e7 } },
  ResponseAssessed: { occurredOn: '2026-04-01', data: { response: 'CRI', mrdNegative: true } },
  ConditioningStarted: { occurredOn: '2026-04-08', data: { agents: ['FLUDARABINE', 'BUSULFAN', 'ATG'], intensity: 'RIC' } },
  StemCellsInfused: {
    occurredOn: '2026-04-14',
    data: { donorId: 'SYN-TD-01', donorType: 'HAPLO', graftSource: 'PBSC', cd34PerKg: 5.1e6, gvhdProphylaxis: ['PTCY', 'TACROLIMUS', 'MMF'] },
  },
  EngraftmentRecorded: { occurredOn: '2026-05-01', data: { lineage: 'NEUTROPHIL' } },
  AdverseEventReported: {
    occurredOn: '2026-05-09',
    data: {
      aeId: 'AE-3', term: 'Acute GVHD of skin', category: 'ACUTE_GVHD', ctcaeGrade: 3, gvhdGrade: 'III',
      serious: true, attribution: 'PROBABLE', suspectedCause: 'TRANSPLANT',
    },
  },
  AdverseEventUpdated: { occurredOn: '2026-05-30', data: { aeId: 'AE-3', ctcaeGrade: 1, gvhdGrade: 'I', resolvedOn: '2026-05-30' } },
  RelapseDiagnosed: { occurredOn: '2026-11-02', data: { kind: 'MOLECULAR' } },
  FollowUpRecorded: { occurredOn: '2026-07-23', data: {} },
  PatientDied: { occurredOn: '2027-01-15', data: { cause: 'RELAPSE', treatmentRelated: false } },
  PatientWithdrawn: { occurredOn: '2026-09-01', data: { reason: 'LOST_TO_FOLLOW_UP' } },
  EventCorrected: {
    data: { targetEventId: '8f0c3c8e-5d3a-4a52-9a51-0c4f3b1e2d10', occurredOn: '2026-05-08', reason: 'onset date transcribed wrongly from the source document' },
  },
  EventVoided: { data: { targetEventId: '8f0c3c8e-5d3a-4a52-9a51-0c4f3b1e2d10', reason: 'entered for the wrong subject' } },
};
