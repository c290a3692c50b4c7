/**
 * SYNTHETIC cohort for benchmarks: deterministic made-up journeys of about 30 events
 * each (no real person). Faster to make by the hundred thousand than fast-check samples.
 */
import { randomUUID } from 'node:crypto';
import { addDays } from '../src/domain/calendar/clinical-date';
import { enrollmentData } from '../src/domain/testing/journey.fixtures';
import type { EventToAppend } from '../src/event-store/event-store.port';

/** A small seeded PRNG (mulberry32): the same seed gives the same cohort. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticPatient {
  readonly subjectId: string;
  readonly events: EventToAppend[];
}

const CATEGORIES = ['ACUTE_GVHD', 'CHRONIC_GVHD', 'INFECTION', 'ORGAN_DYSFUNCTION', 'HEMATOLOGICAL_TOXICITY', 'OTHER'] as const;
const ATTRIBUTIONS = ['UNRELATED', 'UNLIKELY', 'POSSIBLE', 'PROBABLE', 'DEFINITE'] as const;

export function syntheticSubjectId(n: number): string {
  return `SYN-B${String(n).padStart(7, '0')}`;
}

export function syntheticPatient(n: number, random: () => number): SyntheticPatient {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const subjectId = syntheticSubjectId(n);
  const events: EventToAppend[] = [];
  const metadata = { source: 'SYNTHETIC-BENCH', actor: { keyId: 'emitter-bench', role: 'emitter' }, schemaVersion: 1 };
  const add = (type: string, occurredOn: string, data: object) => events.push({ eventId: randomUUID(), type, occurredOn, data, metadata });

  const enrolledOn = addDays('2024-01-01', Math.floor(random() * 700));
  add('PatientEnrolled', enrolledOn, enrollmentData(enrolledOn, { diagnosis: { type: pick(['AML', 'ALL', 'MPAL', 'OTHER'] as const), riskGroup: pick(['FAVORABLE', 'INTERMEDIATE', 'ADVERSE'] as const) } }));
  add('ChemotherapyStarted', addDays(enrolledOn, 2), { regimen: 'FLAG', cycle: 1 });
  add('GpbmcInfused', addDays(enrolledOn, 10), { donorId: 'BD-001', mncPerKg: 1.2e8 });
  add('ResponseAssessed', addDays(enrolledOn, 35), { response: pick(['CR', 'CRI', 'PR', 'NR'] as const), mrdNegative: random() < 0.5 });
  if (random() < 0.1) {
    add('PatientDied', addDays(enrolledOn, 40 + Math.floor(random() * 20)), { cause: 'INFECTION', treatmentRelated: true });
    return { subjectId, events };
  }
  const day0 = addDays(enrolledOn, 60);
  add('ConditioningStarted', addDays(day0, -7), { agents: ['FLUDARABINE', 'BUSULFAN', 'ATG'], intensity: 'RIC' });
  add('StemCellsInfused', day0, { donorId: 'TD-001', donorType: 'HAPLO', graftSource: 'PBSC', gvhdProphylaxis: ['PTCY', 'TACROLIMUS', 'MMF'] });
  add('EngraftmentRecorded', addDays(day0, 14 + Math.floor(random() * 8)), { lineage: 'NEUTROPHIL' });
  add('EngraftmentRecorded', addDays(day0, 20 + Math.floor(random() * 15)), { lineage: 'PLATELET' });
  const aes = 3 + Math.floor(random() * 5);
  for (let i = 1; i <= aes; i++) {
    const category = pick(CATEGORIES);
    const onset = addDays(day0, Math.floor(random() * 300) - 20);
    const grade = 1 + Math.floor(random() * 4);
    add('AdverseEventReported', onset, {
      aeId: `AE-${i}`, term: `synthetic ${category.toLowerCase()}`, category, ctcaeGrade: grade, serious: grade >= 3,
      attribution: pick(ATTRIBUTIONS),
      ...(category === 'ACUTE_GVHD' ? { gvhdGrade: (['I', 'II', 'III', 'IV'] as const)[grade - 1] } : {}),
      ...(category === 'CHRONIC_GVHD' ? { gvhdGrade: 'MODERATE', systemicTherapy: grade >= 3 } : {}),
    });
    if (random() < 0.6) add('AdverseEventUpdated', addDays(onset, 5 + Math.floor(random() * 20)), { aeId: `AE-${i}`, resolvedOn: addDays(onset, 25) });
  }
  let last = day0;
  for (const day of [30, 100, 182, 365, 730]) {
    const visit = addDays(day0, day + Math.floor(random() * 10) - 5);
    if (visit > '2026-06-30') break;
    add('FollowUpRecorded', visit, {});
    last = visit;
  }
  const outcome = random();
  if (outcome < 0.2) add('RelapseDiagnosed', addDays(last, 10), { kind: 'HEMATOLOGICAL' });
  if (outcome < 0.1) add('PatientDied', addDays(last, 40), { cause: 'RELAPSE', treatmentRelated: false });
  return { subjectId, events };
}
