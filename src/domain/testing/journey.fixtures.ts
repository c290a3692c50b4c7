/**
 * Synthetic patient journeys for tests: every value is made up, every id is a
 * deterministic UUID. Two layers:
 * - factories (`enrolled`, `chemoStarted`, ...) for given/when/then tests, each
 *   returning one valid event with sensible defaults and an id from a sequence;
 * - `arbJourney()`, a fast-check arbitrary of whole valid journeys in arrival order.
 */
import fc from 'fast-check';
import { addDays, fromEpochDay, toEpochDay } from '../calendar/clinical-date';
import type {
  AdverseEventReportedData,
  AdverseEventUpdatedData,
  ChemotherapyStartedData,
  ClinicalDate,
  ClinicalEvent,
  ClinicalFact,
  ClinicalFactData,
  ClinicalFactType,
  ConditioningStartedData,
  CorrectionEvent,
  CorrectionType,
  EligibilityExclusions,
  GpbmcInfusedData,
  Lineage,
  PatientDiedData,
  PatientEnrolledData,
  RelapseKind,
  ResponseAssessedData,
  StemCellsInfusedData,
  TransplantDonorType,
  WithdrawalReason,
} from '../events/clinical-event';
import {
  AE_CATEGORIES,
  ATTRIBUTIONS,
  CONDITIONING_INTENSITIES,
  DEATH_CAUSES,
  DIAGNOSIS_TYPES,
  DISEASE_STATUSES,
  DONOR_RELATIONS,
  REGIMENS,
  RELAPSE_KINDS,
  RESPONSES,
  RISK_GROUPS,
  SEXES,
  SUSPECTED_CAUSES,
  WITHDRAWAL_REASONS,
} from '../events/clinical-event';
import type { HistoryEntry } from '../history/effective-history';

export type FactOf<T extends ClinicalFactType> = Extract<ClinicalFact, { readonly type: T }>;
export type CorrectionOf<T extends CorrectionType> = Extract<CorrectionEvent, { readonly type: T }>;

// ---------------------------------------------------------------------------------------------
// Ids

/**
 * A UUID (version 4 layout) built from two numbers, so a failing test names an id a
 * human can trace: `0000002a-0000-4000-8000-000000000007` is event 7 of namespace 42.
 */
export function syntheticId(n: number, namespace = 0): string {
  const hex = (value: number, width: number): string => value.toString(16).padStart(width, '0');
  return `${hex(namespace, 8)}-0000-4000-8000-${hex(n, 12)}`;
}

let sequence = 0;

/** The next id of the factories' sequence (namespace 0; `arbJourney` never uses it). */
export function nextEventId(): string {
  sequence += 1;
  return syntheticId(sequence);
}

/** Restarts the factories' id sequence, for a test that wants ids independent of test order. */
export function resetEventIds(): void {
  sequence = 0;
}

// ---------------------------------------------------------------------------------------------
// Factories

const fact = <T extends ClinicalFactType>(type: T, occurredOn: ClinicalDate, data: FactOf<T>['data'], eventId: string): FactOf<T> =>
  ({ eventId, type, occurredOn, data }) as FactOf<T>;

type Eligibility = PatientEnrolledData['eligibility'];

/** Overrides of the default (eligible) enrollment, nested objects merged key by key. */
export interface EnrollmentOverrides extends Partial<Omit<PatientEnrolledData, 'diagnosis' | 'eligibility' | 'bridgingDonor' | 'transplantDonor'>> {
  readonly diagnosis?: Partial<PatientEnrolledData['diagnosis']>;
  readonly eligibility?: Partial<Omit<Eligibility, 'exclusions'>> & { readonly exclusions?: Partial<EligibilityExclusions> };
  readonly bridgingDonor?: Partial<PatientEnrolledData['bridgingDonor']>;
  readonly transplantDonor?: Partial<PatientEnrolledData['transplantDonor']>;
}

export const NO_EXCLUSIONS: EligibilityExclusions = {
  uncontrolledInfectionOrHemorrhage: false,
  significantCardiovascularDisease: false,
  uncontrolledAutoimmuneDisease: false,
  severeInfusionReactionHistory: false,
  pregnantOrNursing: false,
  psychiatricOrCognitiveImpairment: false,
  majorSurgeryWithin4Weeks: false,
  otherLifeThreateningIllness: false,
};

export const BRIDGING_DONOR_ID = 'BD-001';
export const TRANSPLANT_DONOR_ID = 'TD-001';

/** Eligible enrollment data, consent signed 3 days before `on`. */
export function enrollmentData(on: ClinicalDate, overrides: EnrollmentOverrides = {}): PatientEnrolledData {
  const { diagnosis, eligibility, bridgingDonor, transplantDonor, ...top } = overrides;
  return {
    sex: 'FEMALE',
    ageYears: 42,
    consentSignedOn: addDays(on, -3),
    ...top,
    diagnosis: { type: 'AML', who: 'AML with mutated NPM1', status: 'RELAPSED', riskGroup: 'INTERMEDIATE', ...diagnosis },
    eligibility: {
      altXUln: 1.2,
      astXUln: 0.9,
      bilirubinXUln: 0.8,
      creatinineXUln: 1.0,
      crClMlMin: 85,
      lvefPercent: 62,
      ...eligibility,
      exclusions: { ...NO_EXCLUSIONS, ...eligibility?.exclusions },
    },
    bridgingDonor: { donorId: BRIDGING_DONOR_ID, ageYears: 34, relation: 'UNRELATED', hlaMatch: '3/10', ...bridgingDonor },
    transplantDonor: { donorId: TRANSPLANT_DONOR_ID, ageYears: 38, type: 'HAPLO', hlaMatch: '5/10', ...transplantDonor },
  };
}

export function enrolled(on: ClinicalDate = '2025-01-06', overrides: EnrollmentOverrides = {}, eventId = nextEventId()): FactOf<'PatientEnrolled'> {
  return fact('PatientEnrolled', on, enrollmentData(on, overrides), eventId);
}

export function chemoStarted(on: ClinicalDate, data: Partial<ChemotherapyStartedData> = {}, eventId = nextEventId()): FactOf<'ChemotherapyStarted'> {
  return fact('ChemotherapyStarted', on, { regimen: 'FLAG', cycle: 1, ...data }, eventId);
}

export function gpbmcInfused(on: ClinicalDate, data: Partial<GpbmcInfusedData> = {}, eventId = nextEventId()): FactOf<'GpbmcInfused'> {
  return fact('GpbmcInfused', on, { donorId: BRIDGING_DONOR_ID, mncPerKg: 1.2e8, cd34PerKg: 1.5e6, cd3PerKg: 4.1e7, ...data }, eventId);
}

export function responseAssessed(on: ClinicalDate, data: Partial<ResponseAssessedData> = {}, eventId = nextEventId()): FactOf<'ResponseAssessed'> {
  return fact('ResponseAssessed', on, { response: 'CR', mrdNegative: true, ...data }, eventId);
}

export function conditioningStarted(on: ClinicalDate, data: Partial<ConditioningStartedData> = {}, eventId = nextEventId()): FactOf<'ConditioningStarted'> {
  return fact('ConditioningStarted', on, { agents: ['FLUDARABINE', 'BUSULFAN', 'ATG'], intensity: 'RIC', ...data }, eventId);
}

/** Day 0: the transplant graft infusion. */
export function stemCellsInfused(on: ClinicalDate, data: Partial<StemCellsInfusedData> = {}, eventId = nextEventId()): FactOf<'StemCellsInfused'> {
  return fact('StemCellsInfused', on, {
    donorId: TRANSPLANT_DONOR_ID, donorType: 'HAPLO', graftSource: 'PBSC', cd34PerKg: 5.2e6, gvhdProphylaxis: ['PTCY', 'TACROLIMUS', 'MMF'], ...data,
  }, eventId);
}

export function engrafted(on: ClinicalDate, lineage: Lineage = 'NEUTROPHIL', eventId = nextEventId()): FactOf<'EngraftmentRecorded'> {
  return fact('EngraftmentRecorded', on, { lineage }, eventId);
}

export function aeReported(on: ClinicalDate, data: Partial<AdverseEventReportedData> = {}, eventId = nextEventId()): FactOf<'AdverseEventReported'> {
  return fact('AdverseEventReported', on, {
    aeId: 'AE-1', term: 'Febrile neutropenia', category: 'HEMATOLOGICAL_TOXICITY', ctcaeGrade: 3, serious: true,
    attribution: 'POSSIBLE', suspectedCause: 'CHEMOTHERAPY', ...data,
  }, eventId);
}

export function aeUpdated(on: ClinicalDate, aeId: string, changes: Omit<Partial<AdverseEventUpdatedData>, 'aeId'> = {}, eventId = nextEventId()): FactOf<'AdverseEventUpdated'> {
  return fact('AdverseEventUpdated', on, { aeId, ...changes }, eventId);
}

export function relapsed(on: ClinicalDate, kind: RelapseKind = 'HEMATOLOGICAL', eventId = nextEventId()): FactOf<'RelapseDiagnosed'> {
  return fact('RelapseDiagnosed', on, { kind }, eventId);
}

export function followUp(on: ClinicalDate, eventId = nextEventId()): FactOf<'FollowUpRecorded'> {
  return fact('FollowUpRecorded', on, {}, eventId);
}

export function died(on: ClinicalDate, data: Partial<PatientDiedData> = {}, eventId = nextEventId()): FactOf<'PatientDied'> {
  return fact('PatientDied', on, { cause: 'RELAPSE', treatmentRelated: false, ...data }, eventId);
}

export function withdrawn(on: ClinicalDate, reason: WithdrawalReason = 'CONSENT_WITHDRAWN', eventId = nextEventId()): FactOf<'PatientWithdrawn'> {
  return fact('PatientWithdrawn', on, { reason }, eventId);
}

type Target = string | { readonly eventId: string };
const targetId = (target: Target): string => (typeof target === 'string' ? target : target.eventId);

/** A correction of `target`: give the new `occurredOn`, the whole new `data`, or both. */
export function corrected(
  target: Target,
  change: { readonly occurredOn?: ClinicalDate; readonly data?: ClinicalFactData },
  reason = 'transcription error in the source document',
  eventId = nextEventId(),
): CorrectionOf<'EventCorrected'> {
  return { eventId, type: 'EventCorrected', data: { targetEventId: targetId(target), ...change, reason } };
}

export function voided(target: Target, reason = 'entered in error', eventId = nextEventId()): CorrectionOf<'EventVoided'> {
  return { eventId, type: 'EventVoided', data: { targetEventId: targetId(target), reason } };
}

/**
 * The same events with ids of their own namespace: journeys share id namespaces, but a
 * store's event ids are unique across streams. Targets of corrections follow.
 */
export function withOwnIds(events: readonly ClinicalEvent[], namespace: number): ClinicalEvent[] {
  const prefix = namespace.toString(16).padStart(8, '0');
  const own = (id: string) => `${prefix}${id.slice(8)}`;
  return events.map((e) => {
    const data = 'targetEventId' in e.data ? { ...e.data, targetEventId: own(e.data.targetEventId) } : e.data;
    return { ...e, eventId: own(e.eventId), data } as ClinicalEvent;
  });
}

/** Events as a stored stream: revisions in array order from `firstRevision`. */
export function asHistory(events: readonly ClinicalEvent[], firstRevision = 0): HistoryEntry[] {
  return events.map((event, i) => ({
    eventId: event.eventId,
    type: event.type,
    occurredOn: 'occurredOn' in event ? event.occurredOn : null,
    data: event.data,
    revision: firstRevision + i,
  }));
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const hundredths = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min: Math.round(min * 100), max: Math.round(max * 100) }).map((n) => n / 100);

const transplantMatch: Record<TransplantDonorType, fc.Arbitrary<string>> = {
  MSD: fc.constantFrom('10/10', '8/8'),
  MUD: fc.constantFrom('10/10', '8/8'),
  MMUD_9_10: fc.constantFrom('9/10', '7/8'),
  HAPLO: fc.integer({ min: 5, max: 9 }).map((m) => `${m}/10`),
};

/** Enrollment data that meets every criterion (consent date set by the caller). */
export function arbEligibleEnrollmentData(): fc.Arbitrary<Omit<PatientEnrolledData, 'consentSignedOn'>> {
  const renal = fc.oneof(
    fc.record({ creatinineXUln: hundredths(0.3, 2), crClMlMin: fc.option(fc.integer({ min: 20, max: 150 }), { nil: undefined }) }),
    fc.record({ creatinineXUln: hundredths(2.01, 3.5), crClMlMin: fc.integer({ min: 40, max: 90 }) }),
  );
  const transplantDonor = fc
    .constantFrom<TransplantDonorType>('MSD', 'MUD', 'MMUD_9_10', 'HAPLO')
    .chain((type) => fc.record({
      donorId: fc.integer({ min: 1, max: 999 }).map((n) => `TD-${n}`),
      ageYears: fc.integer({ min: 18, max: 70 }),
      type: fc.constant(type),
      hlaMatch: transplantMatch[type],
    }));
  const bridgingDonor = fc.record({
    donorId: fc.integer({ min: 1, max: 999 }).map((n) => `BD-${n}`),
    ageYears: fc.integer({ min: 18, max: 65 }),
    relation: fc.constantFrom(...DONOR_RELATIONS),
    hlaMatch: fc.integer({ min: 0, max: 9 }).map((m) => `${m}/10`),
  });
  return fc
    .record({
      sex: fc.constantFrom(...SEXES),
      ageYears: fc.integer({ min: 15, max: 75 }),
      diagnosis: fc.record({
        type: fc.constantFrom(...DIAGNOSIS_TYPES),
        status: fc.constantFrom(...DISEASE_STATUSES),
        riskGroup: fc.constantFrom(...RISK_GROUPS),
      }),
      altXUln: hundredths(0.1, 3),
      astXUln: hundredths(0.1, 3),
      bilirubinXUln: hundredths(0.1, 1.5),
      renal,
      lvefPercent: fc.integer({ min: 51, max: 75 }),
      bridgingDonor,
      transplantDonor,
      // The GPBMC donor may also give the transplant graft when haploidentical.
      sameDonor: fc.boolean(),
    })
    .map(({ altXUln, astXUln, bilirubinXUln, renal: r, lvefPercent, bridgingDonor: bd, transplantDonor: td, sameDonor, ...rest }) => ({
      ...rest,
      eligibility: {
        altXUln, astXUln, bilirubinXUln, creatinineXUln: r.creatinineXUln, lvefPercent, exclusions: NO_EXCLUSIONS,
        ...(r.crClMlMin !== undefined ? { crClMlMin: r.crClMlMin } : {}),
      },
      bridgingDonor: sameDonor && td.type === 'HAPLO' ? { ...bd, donorId: td.donorId, ageYears: td.ageYears, hlaMatch: td.hlaMatch } : bd,
      transplantDonor: td,
    }));
}

export interface JourneyOptions {
  /** Earliest enrollment date (default 2025-01-01). */
  readonly from?: ClinicalDate;
  /** No clinical date after this one (default 2027-12-31): the journey is cut there, the patient still on study. */
  readonly to?: ClinicalDate;
  /** Sometimes skip chemotherapy, GPBMC or conditioning, and sometimes waive eligibility (default true). */
  readonly deviations?: boolean;
}

export interface Journey {
  /** Every event in arrival order: each one is valid given the ones before it. */
  readonly events: readonly ClinicalEvent[];
  /** The latest clinical date in the journey (resolution dates included): any `today` from the day before it accepts every event. */
  readonly lastDate: ClinicalDate;
  /** The namespace of the journey's ids; distinct journeys of one run may share it, so give patients their own when it matters. */
  readonly idNamespace: number;
}

const MILESTONES = [30, 100, 182, 365, 730] as const;
const CONDITIONING: Record<ConditioningStartedData['intensity'], ConditioningStartedData> = {
  MAC: { agents: ['CYCLOPHOSPHAMIDE', 'TBI'], intensity: 'MAC', tbiGy: 12 },
  RIC: { agents: ['FLUDARABINE', 'BUSULFAN', 'ATG'], intensity: 'RIC' },
  NMA: { agents: ['FLUDARABINE', 'CYCLOPHOSPHAMIDE', 'TBI'], intensity: 'NMA', tbiGy: 2 },
};
const AE_TERMS: Record<AdverseEventReportedData['category'], readonly string[]> = {
  ACUTE_GVHD: ['Acute GVHD of skin', 'Acute GVHD of the gut', 'Acute GVHD of the liver'],
  CHRONIC_GVHD: ['Chronic GVHD of the mouth', 'Chronic GVHD of the skin', 'Chronic GVHD of the lung'],
  INFECTION: ['CMV reactivation', 'Invasive aspergillosis', 'Bacteremia'],
  ORGAN_DYSFUNCTION: ['Hepatic veno-occlusive disease', 'Acute kidney injury'],
  HEMATOLOGICAL_TOXICITY: ['Febrile neutropenia', 'Thrombocytopenia', 'Graft failure'],
  OTHER: ['Mucositis', 'Infusion reaction'],
};

const gap = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min, max });
// Unbiased: fast-check otherwise favours small integers, which would skew these odds.
const sometimes = (percent: number): fc.Arbitrary<boolean> => fc.noBias(fc.integer({ min: 1, max: 100 })).map((n) => n <= percent);
/** A position within a span, taken modulo the span's length once it is known. */
const somewhere = fc.noBias(fc.integer({ min: 0, max: 100_000 }));

const aePlan = fc.record({
  onset: somewhere,
  category: fc.constantFrom(...AE_CATEGORIES),
  termPick: fc.nat(),
  // Grade 5 (fatal) is left out: it would call for a death the plan may not have.
  grade: fc.constantFrom(1, 2, 3, 4),
  serious: fc.boolean(),
  attribution: fc.constantFrom(...ATTRIBUTIONS),
  suspectedCause: fc.constantFrom(...SUSPECTED_CAUSES),
  arrivalLag: gap(0, 30),
  updates: fc.array(fc.record({ after: gap(0, 60), grade: fc.constantFrom(1, 2, 3, 4), resolves: fc.boolean() }), { maxLength: 2 }),
});

const journeyPlan = fc.record({
  idNamespace: fc.integer({ min: 1, max: 0xffffffff }),
  startOffset: gap(0, 180),
  consentLead: gap(0, 21),
  enrollment: arbEligibleEnrollmentData(),
  waived: sometimes(15),
  skipChemo: sometimes(10),
  skipGpbmc: sometimes(10),
  skipConditioning: sometimes(10),
  chemoGap: gap(0, 14),
  regimen: fc.constantFrom(...REGIMENS),
  gpbmcGap: gap(2, 10),
  response: fc.option(fc.record({ gap: gap(14, 35), response: fc.constantFrom(...RESPONSES), mrdNegative: fc.boolean() }), { nil: undefined }),
  conditioningGap: gap(7, 45),
  intensity: fc.constantFrom(...CONDITIONING_INTENSITIES),
  day0Gap: gap(3, 10),
  neutrophilDay: fc.option(gap(10, 28), { nil: undefined }),
  plateletDay: fc.option(gap(12, 60), { nil: undefined }),
  relapseDay: fc.option(gap(30, 700), { nil: undefined }),
  relapseKind: fc.constantFrom(...RELAPSE_KINDS),
  followUpJitter: fc.array(gap(-14, 14), { minLength: MILESTONES.length, maxLength: MILESTONES.length }),
  followUpLag: gap(0, 20),
  aes: fc.array(aePlan, { maxLength: 5 }),
  ending: fc.oneof(
    fc.record({ kind: fc.constant('none' as const) }),
    fc.record({ kind: fc.constant('death' as const), at: somewhere, cause: fc.constantFrom(...DEATH_CAUSES), treatmentRelated: fc.boolean(), lag: gap(0, 30) }),
    fc.record({
      kind: fc.constant('withdrawal' as const), at: somewhere, reason: fc.constantFrom(...WITHDRAWAL_REASONS),
      contactAfter: fc.option(gap(1, 200), { nil: undefined }), deathAfter: fc.option(gap(1, 400), { nil: undefined }),
    }),
  ),
});

type JourneyPlan = typeof journeyPlan extends fc.Arbitrary<infer P> ? P : never;

/**
 * Whole valid journeys: enrollment, bridging chemotherapy, GPBMC, optional response,
 * conditioning, Day 0, engraftment, AEs (some updated, some resolved), relapse,
 * milestone follow-ups, then death, withdrawal or neither, on increasing dates
 * within [from, to]. Arrival order is realistic: AEs, follow-ups and death may be
 * entered days after later-dated events; an AE update always arrives after its report.
 */
export function arbJourney(options: JourneyOptions = {}): fc.Arbitrary<Journey> {
  const from = options.from ?? '2025-01-01';
  const to = options.to ?? '2027-12-31';
  const deviations = options.deviations ?? true;
  return journeyPlan.map((plan) => buildJourney(plan, from, to, deviations));
}

interface Planned {
  readonly event: ClinicalFact;
  readonly arrival: number;
  /** Generation order: breaks ties of arrival. */
  readonly order: number;
}

function buildJourney(plan: JourneyPlan, from: ClinicalDate, to: ClinicalDate, allowDeviations: boolean): Journey {
  const ns = plan.idNamespace;
  let n = 0;
  const id = (): string => syntheticId(++n, ns);
  const day = (date: ClinicalDate): number => toEpochDay(date);
  const last = day(to);

  const enrolledOn = fromEpochDay(Math.min(day(from) + plan.startOffset, last));
  const data: PatientEnrolledData = {
    ...plan.enrollment,
    consentSignedOn: addDays(enrolledOn, -plan.consentLead),
    ...(allowDeviations && plan.waived ? { eligibilityWaiver: { reason: 'investigator judged eligible despite a borderline value; sponsor approved' } } : {}),
  };
  const facts: { event: ClinicalFact; lag: number }[] = [];
  const add = (event: ClinicalFact, lag = 0): void => {
    facts.push({ event, lag });
  };

  // Treatment steps on increasing dates.
  let cursor = enrolledOn;
  const chemoOn = allowDeviations && plan.skipChemo ? undefined : (cursor = addDays(cursor, plan.chemoGap));
  const gpbmcOn = allowDeviations && plan.skipGpbmc ? undefined : (cursor = addDays(cursor, plan.gpbmcGap));
  const responseOn = plan.response ? (cursor = addDays(cursor, plan.response.gap)) : undefined;
  const conditioningOn = allowDeviations && plan.skipConditioning ? undefined : (cursor = addDays(cursor, plan.conditioningGap));
  const day0 = addDays(cursor, plan.day0Gap);
  const horizon = addDays(day0, 730 + 14);

  // The ending bounds everything else; cut at `to` (the patient is then still on study).
  const span = day(horizon) - day(enrolledOn);
  const endingOn = plan.ending.kind === 'none' ? undefined : addDays(enrolledOn, plan.ending.at % (span + 1));
  const deathOn = plan.ending.kind === 'death' ? endingOn
    : plan.ending.kind === 'withdrawal' && plan.ending.deathAfter !== undefined ? addDays(endingOn!, plan.ending.deathAfter) : undefined;
  const withdrawnOn = plan.ending.kind === 'withdrawal' ? endingOn : undefined;
  const activeUntil = [endingOn, horizon, to].filter((d): d is ClinicalDate => d !== undefined).reduce((a, b) => (a < b ? a : b));
  const aliveUntil = [deathOn, horizon, to].filter((d): d is ClinicalDate => d !== undefined).reduce((a, b) => (a < b ? a : b));
  const active = (date: ClinicalDate | undefined): date is ClinicalDate => date !== undefined && date <= activeUntil;
  const alive = (date: ClinicalDate): boolean => date <= aliveUntil;

  add(fact('PatientEnrolled', enrolledOn, data, id()));
  if (active(chemoOn)) add(fact('ChemotherapyStarted', chemoOn, plan.regimen === 'OTHER' ? { regimen: 'OTHER', regimenName: 'CLAG-M', cycle: 1 } : { regimen: plan.regimen, cycle: 1 }, id()));
  if (active(gpbmcOn)) add(fact('GpbmcInfused', gpbmcOn, { donorId: data.bridgingDonor.donorId, mncPerKg: 1.1e8, cd34PerKg: 1.4e6, cd3PerKg: 3.9e7 }, id()));
  if (active(responseOn) && plan.response) add(fact('ResponseAssessed', responseOn, { response: plan.response.response, mrdNegative: plan.response.mrdNegative }, id()), 3);
  if (active(conditioningOn)) add(fact('ConditioningStarted', conditioningOn, CONDITIONING[plan.intensity], id()));
  const transplanted = active(day0);
  if (transplanted) {
    add(fact('StemCellsInfused', day0, {
      donorId: data.transplantDonor.donorId, donorType: data.transplantDonor.type, graftSource: 'PBSC', cd34PerKg: 5e6,
      gvhdProphylaxis: ['PTCY', 'TACROLIMUS', 'MMF'],
    }, id()));
    const neutrophilOn = plan.neutrophilDay === undefined ? undefined : addDays(day0, plan.neutrophilDay);
    const plateletOn = plan.plateletDay === undefined ? undefined : addDays(day0, plan.plateletDay);
    if (active(neutrophilOn)) add(fact('EngraftmentRecorded', neutrophilOn, { lineage: 'NEUTROPHIL' }, id()), 2);
    if (active(plateletOn)) add(fact('EngraftmentRecorded', plateletOn, { lineage: 'PLATELET' }, id()), 2);
    const relapseOn = plan.relapseDay === undefined ? undefined : addDays(day0, plan.relapseDay);
    if (active(relapseOn)) add(fact('RelapseDiagnosed', relapseOn, { kind: plan.relapseKind }, id()), 5);
    MILESTONES.forEach((milestone, i) => {
      const on = addDays(day0, milestone + plan.followUpJitter[i]);
      if (active(on)) add(fact('FollowUpRecorded', on, {}, id()), plan.followUpLag);
    });
  }

  // AEs: onset while on study, updates while alive (AEs are followed up after withdrawal too).
  const aeSpan = day(activeUntil) - day(enrolledOn);
  plan.aes.forEach((ae, i) => {
    if (aeSpan < 0) return;
    const onset = addDays(enrolledOn, ae.onset % (aeSpan + 1));
    const aeId = `AE-${i + 1}`;
    const report = fact('AdverseEventReported', onset, {
      aeId, term: AE_TERMS[ae.category][ae.termPick % AE_TERMS[ae.category].length], category: ae.category, ctcaeGrade: ae.grade, serious: ae.serious, attribution: ae.attribution,
      suspectedCause: ae.suspectedCause,
      ...(ae.category === 'ACUTE_GVHD' ? { gvhdGrade: (['I', 'II', 'III', 'IV'] as const)[ae.grade - 1] } : {}),
      ...(ae.category === 'CHRONIC_GVHD' ? { gvhdGrade: 'MODERATE' as const, systemicTherapy: ae.grade >= 3 } : {}),
    }, id());
    add(report, ae.arrivalLag);
    let updateOn = onset;
    for (const update of ae.updates) {
      updateOn = addDays(updateOn, update.after);
      if (!alive(updateOn) || updateOn > to) break;
      add(fact('AdverseEventUpdated', updateOn, { aeId, ctcaeGrade: update.grade, ...(update.resolves ? { resolvedOn: updateOn } : {}) }, id()),
        // Never before its report: an update arrives at least as late as the report.
        Math.max(0, day(onset) + ae.arrivalLag - day(updateOn)));
    }
  });

  if (plan.ending.kind === 'death' && deathOn && deathOn <= to) {
    add(fact('PatientDied', deathOn, { cause: plan.ending.cause, treatmentRelated: plan.ending.treatmentRelated }, id()), plan.ending.lag);
  }
  if (plan.ending.kind === 'withdrawal' && withdrawnOn && withdrawnOn <= to) {
    add(fact('PatientWithdrawn', withdrawnOn, { reason: plan.ending.reason }, id()));
    // Survival status is still collected after withdrawal.
    const contactOn = plan.ending.contactAfter === undefined ? undefined : addDays(withdrawnOn, plan.ending.contactAfter);
    if (contactOn && contactOn <= to && alive(contactOn)) add(fact('FollowUpRecorded', contactOn, {}, id()));
    if (deathOn && deathOn <= to) add(fact('PatientDied', deathOn, { cause: 'OTHER', treatmentRelated: false }, id()));
  }

  // Arrival order: by clinical date plus entry lag; the enrollment always first, then generation order.
  const planned: Planned[] = facts.map(({ event, lag }, order) => ({ event, arrival: order === 0 ? -Infinity : day(event.occurredOn) + lag, order }));
  planned.sort((a, b) => a.arrival - b.arrival || a.order - b.order);
  const events: ClinicalEvent[] = planned.map((p) => p.event);

  const dates = facts.flatMap(({ event }) => [event.occurredOn, ...(event.type === 'AdverseEventUpdated' && event.data.resolvedOn ? [event.data.resolvedOn] : [])]);
  return { events, lastDate: dates.reduce((a, b) => (a > b ? a : b)), idNamespace: ns };
}
