/**
 * SYNTHETIC DATA. Five made-up patients modelled on the NCT07297173 protocol
 * (chemotherapy, HLA-mismatched GPBMC infusion, conditioning, allo-HSCT at Day 0).
 * No real person is described; subject ids start with SYN-.
 * Event ids are derived from the subject id and the event's place, so loading the
 * seed twice stores nothing twice (the second load is a series of exact repeats).
 */
import { createHash } from 'node:crypto';

export interface SeedEvent {
  eventId: string;
  type: string;
  occurredOn?: string;
  data: Record<string, unknown>;
  metadata: { source: string; correlationId?: string };
}

export interface SeedPatient {
  subjectId: string;
  story: string;
  events: SeedEvent[];
}

function uuidFor(subjectId: string, n: number): string {
  const h = createHash('sha256').update(`${subjectId}#${n}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const NO_EXCLUSIONS = {
  uncontrolledInfectionOrHemorrhage: false, significantCardiovascularDisease: false, uncontrolledAutoimmuneDisease: false,
  severeInfusionReactionHistory: false, pregnantOrNursing: false, psychiatricOrCognitiveImpairment: false,
  majorSurgeryWithin4Weeks: false, otherLifeThreateningIllness: false,
};

function patient(subjectId: string, story: string, build: (ev: (type: string, occurredOn: string | undefined, data: object) => string) => void): SeedPatient {
  const events: SeedEvent[] = [];
  build((type, occurredOn, data) => {
    const eventId = uuidFor(subjectId, events.length);
    events.push({ eventId, type, ...(occurredOn ? { occurredOn } : {}), data: data as Record<string, unknown>, metadata: { source: 'SYNTHETIC-SEED' } });
    return eventId;
  });
  return { subjectId, story, events };
}

function enrolment(overrides: Record<string, unknown>) {
  return {
    sex: 'MALE', ageYears: 45,
    diagnosis: { type: 'AML', who: 'AML with KMT2A rearrangement', status: 'RELAPSED', riskGroup: 'ADVERSE' },
    consentSignedOn: '2025-12-08',
    eligibility: { altXUln: 1.2, astXUln: 1.1, bilirubinXUln: 0.8, creatinineXUln: 0.9, crClMlMin: 92, lvefPercent: 62, exclusions: NO_EXCLUSIONS },
    bridgingDonor: { donorId: 'SYN-DONOR-B1', ageYears: 38, relation: 'SIBLING', hlaMatch: '5/10' },
    transplantDonor: { donorId: 'SYN-DONOR-T1', ageYears: 41, type: 'HAPLO', hlaMatch: '5/10' },
    ...overrides,
  };
}

const prophylaxis = ['PTCY', 'TACROLIMUS', 'MMF'];

export const SYNTHETIC_PATIENTS: SeedPatient[] = [
  patient('SYN-001', 'AML, full protocol; acute GVHD of the skin worsening from grade II to III on Day +42 (primary endpoint EVENT, GRFS event); alive in long-term follow-up.', (ev) => {
    ev('PatientEnrolled', '2025-12-10', enrolment({ consentSignedOn: '2025-12-08' }));
    ev('ChemotherapyStarted', '2025-12-12', { regimen: 'FLAG', cycle: 1 });
    ev('GpbmcInfused', '2025-12-20', { donorId: 'SYN-DONOR-B1', mncPerKg: 1.2e8, cd34PerKg: 2.1e6, cd3PerKg: 5.0e7 });
    ev('ResponseAssessed', '2026-01-20', { response: 'CRI', mrdNegative: false });
    ev('ConditioningStarted', '2026-02-03', { agents: ['FLUDARABINE', 'CYCLOPHOSPHAMIDE', 'ATG', 'TBI'], intensity: 'RIC', tbiGy: 2 });
    ev('StemCellsInfused', '2026-02-10', { donorId: 'SYN-DONOR-T1', donorType: 'HAPLO', graftSource: 'GPBMC', cd34PerKg: 5.4e6, gvhdProphylaxis: prophylaxis });
    ev('EngraftmentRecorded', '2026-02-24', { lineage: 'NEUTROPHIL' });
    ev('EngraftmentRecorded', '2026-03-02', { lineage: 'PLATELET' });
    ev('AdverseEventReported', '2026-03-17', { aeId: 'AE-1', term: 'Acute GVHD of skin', category: 'ACUTE_GVHD', ctcaeGrade: 2, gvhdGrade: 'II', serious: false, attribution: 'PROBABLE', suspectedCause: 'TRANSPLANT' });
    ev('AdverseEventUpdated', '2026-03-24', { aeId: 'AE-1', ctcaeGrade: 3, gvhdGrade: 'III' });
    ev('AdverseEventUpdated', '2026-04-20', { aeId: 'AE-1', resolvedOn: '2026-04-20' });
    const duplicate = ev('FollowUpRecorded', '2026-05-19', {});
    ev('FollowUpRecorded', '2026-05-20', {});
    ev('EventVoided', undefined, { targetEventId: duplicate, reason: 'Entered twice by the site; the visit took place on 2026-05-20.' });
    ev('FollowUpRecorded', '2026-08-10', {});
    ev('FollowUpRecorded', '2026-11-20', {});
  }),
  patient('SYN-002', 'ALL, refractory; an unrelated grade 3 infection in the window (primary endpoint NO_EVENT); haematological relapse on Day +200, its date corrected after a marrow report.', (ev) => {
    ev('PatientEnrolled', '2026-01-05', enrolment({ sex: 'FEMALE', ageYears: 19, diagnosis: { type: 'ALL', who: 'B-lymphoblastic leukaemia, BCR::ABL1-like', status: 'REFRACTORY', riskGroup: 'ADVERSE' }, consentSignedOn: '2026-01-02', transplantDonor: { donorId: 'SYN-DONOR-T2', ageYears: 24, type: 'MSD', hlaMatch: '10/10' }, bridgingDonor: { donorId: 'SYN-DONOR-B2', ageYears: 52, relation: 'PARENT', hlaMatch: '5/10' } }));
    ev('ChemotherapyStarted', '2026-01-07', { regimen: 'HYPER_CVAD_A', cycle: 1 });
    ev('GpbmcInfused', '2026-01-16', { donorId: 'SYN-DONOR-B2', mncPerKg: 1.0e8 });
    ev('ConditioningStarted', '2026-03-08', { agents: ['TBI', 'CYCLOPHOSPHAMIDE'], intensity: 'MAC', tbiGy: 12 });
    ev('StemCellsInfused', '2026-03-15', { donorId: 'SYN-DONOR-T2', donorType: 'MSD', graftSource: 'PBSC', cd34PerKg: 6.1e6, gvhdProphylaxis: ['CYCLOSPORINE', 'MTX'] });
    ev('EngraftmentRecorded', '2026-03-28', { lineage: 'NEUTROPHIL' });
    ev('AdverseEventReported', '2026-04-02', { aeId: 'AE-1', term: 'Catheter-related bloodstream infection', category: 'INFECTION', ctcaeGrade: 3, serious: true, attribution: 'UNLIKELY', suspectedCause: 'OTHER' });
    ev('FollowUpRecorded', '2026-06-24', {});
    const relapse = ev('RelapseDiagnosed', '2026-10-05', { kind: 'MOLECULAR' });
    ev('EventCorrected', undefined, { targetEventId: relapse, occurredOn: '2026-10-01', data: { kind: 'HEMATOLOGICAL' }, reason: 'Marrow aspirate of 2026-10-01 showed 12% blasts; the molecular result came later.' });
    ev('FollowUpRecorded', '2026-11-18', {});
  }),
  patient('SYN-003', 'AML; transplanted, died of organ failure on Day +50, not marked treatment-related, with no AE recorded (primary endpoint INCOMPLETE; OS event; a data query asks for the grade-5 AE).', (ev) => {
    ev('PatientEnrolled', '2026-02-02', enrolment({ ageYears: 63, diagnosis: { type: 'AML', status: 'RELAPSED', riskGroup: 'INTERMEDIATE' }, consentSignedOn: '2026-01-30', transplantDonor: { donorId: 'SYN-DONOR-T3', ageYears: 29, type: 'MUD', hlaMatch: '10/10' }, bridgingDonor: { donorId: 'SYN-DONOR-B3', ageYears: 33, relation: 'UNRELATED', hlaMatch: '4/10' } }));
    ev('ChemotherapyStarted', '2026-02-04', { regimen: 'DAV', cycle: 1 });
    ev('GpbmcInfused', '2026-02-12', { donorId: 'SYN-DONOR-B3' });
    ev('ConditioningStarted', '2026-03-25', { agents: ['FLUDARABINE', 'BUSULFAN', 'ATG'], intensity: 'RIC' });
    ev('StemCellsInfused', '2026-04-01', { donorId: 'SYN-DONOR-T3', donorType: 'MUD', graftSource: 'PBSC', gvhdProphylaxis: ['TACROLIMUS', 'MTX', 'ATG'] });
    ev('EngraftmentRecorded', '2026-04-16', { lineage: 'NEUTROPHIL' });
    ev('PatientDied', '2026-05-21', { cause: 'ORGAN_FAILURE', treatmentRelated: false });
  }),
  patient('SYN-004', 'MPAL, eligibility waived (LVEF 48%); conditioning without a preceding GPBMC infusion; grade 4 neutropenia attributed to conditioning on Day +5 (primary endpoint EVENT, window open); seen on Day +32 with no neutrophil engraftment recorded (graft failure, and a data query asking for the engraftment).', (ev) => {
    ev('PatientEnrolled', '2026-08-03', enrolment({ sex: 'FEMALE', ageYears: 34, diagnosis: { type: 'MPAL', status: 'RELAPSED' }, consentSignedOn: '2026-08-01', eligibility: { altXUln: 1, astXUln: 1, bilirubinXUln: 1, creatinineXUln: 1, lvefPercent: 48, exclusions: NO_EXCLUSIONS }, eligibilityWaiver: { reason: 'LVEF 48% on echo; cardiology review found no contraindication (synthetic).' } }));
    ev('ChemotherapyStarted', '2026-08-05', { regimen: 'IAV', cycle: 1 });
    ev('ConditioningStarted', '2026-09-24', { agents: ['FLUDARABINE', 'MELPHALAN'], intensity: 'RIC' });
    ev('StemCellsInfused', '2026-10-01', { donorId: 'SYN-DONOR-T1', donorType: 'HAPLO', graftSource: 'GPBMC', gvhdProphylaxis: prophylaxis });
    ev('AdverseEventReported', '2026-10-06', { aeId: 'AE-1', term: 'Febrile neutropenia', category: 'HEMATOLOGICAL_TOXICITY', ctcaeGrade: 4, serious: true, attribution: 'PROBABLE', suspectedCause: 'CONDITIONING' });
    ev('FollowUpRecorded', '2026-11-02', {});
  }),
  patient('SYN-005', 'AML, refractory; grade 2 infusion reaction to the GPBMCs (bridging safety profile), then consent withdrawn before transplant (primary endpoint NOT_APPLICABLE).', (ev) => {
    ev('PatientEnrolled', '2026-04-06', enrolment({ ageYears: 52, diagnosis: { type: 'AML', status: 'REFRACTORY', riskGroup: 'ADVERSE' }, consentSignedOn: '2026-04-03' }));
    ev('ChemotherapyStarted', '2026-04-08', { regimen: 'FLAG', cycle: 1 });
    ev('GpbmcInfused', '2026-04-17', { donorId: 'SYN-DONOR-B1' });
    ev('AdverseEventReported', '2026-04-17', { aeId: 'AE-1', term: 'Infusion-related reaction', category: 'OTHER', ctcaeGrade: 2, serious: false, attribution: 'DEFINITE', suspectedCause: 'GPBMC' });
    ev('AdverseEventUpdated', '2026-04-18', { aeId: 'AE-1', resolvedOn: '2026-04-18' });
    ev('PatientWithdrawn', '2026-05-12', { reason: 'CONSENT_WITHDRAWN' });
  }),
];
