import fc from 'fast-check';
import { addDays } from '../calendar/clinical-date';
import type { ClinicalEvent, ClinicalFact } from '../events/clinical-event';
import { effectiveHistory } from '../history/effective-history';
import { structuralDeviations, type Deviation } from '../rules/deviations';
import {
  aeUpdated,
  arbJourney,
  asHistory,
  corrected,
  died,
  followUp,
  syntheticId,
  voided,
  type Journey,
} from '../testing/journey.fixtures';
import { checkHistory, decide, type RuleCode } from './decide';

const deviationKey = (d: Deviation): string => `${d.code}|${d.eventId ?? ''}`;
const enrollmentOf = (journey: Journey): ClinicalFact => journey.events[0] as ClinicalFact;
const factsOf = (journey: Journey): ClinicalFact[] => journey.events.filter((e): e is ClinicalFact => 'occurredOn' in e);
const ofType = <T extends ClinicalFact['type']>(journey: Journey, type: T) =>
  factsOf(journey).filter((e): e is Extract<ClinicalFact, { type: T }> => e.type === type);
const freshId = (n: number): string => syntheticId(n, 0xfeed);

describe('decide over generated journeys', () => {
  it('accepts every valid journey event by event, and reports each deviation it ends with when it arises', () => {
    fc.assert(fc.property(arbJourney(), (journey) => {
      const reported = new Set<string>();
      journey.events.forEach((event, i) => {
        const decision = decide(asHistory(journey.events.slice(0, i)), [event], journey.lastDate);
        expect(decision).toMatchObject({ kind: 'accepted', events: [event] });
        if (decision.kind === 'accepted') decision.deviations.forEach((d) => reported.add(deviationKey(d)));
      });
      const final = structuralDeviations(effectiveHistory(asHistory(journey.events)));
      expect(final.map(deviationKey).filter((key) => !reported.has(key))).toEqual([]);
    }));
  });

  it('accepts every valid journey as one batch, with the deviations of its effective history', () => {
    fc.assert(fc.property(arbJourney(), (journey) => {
      const decision = decide([], journey.events, journey.lastDate);
      expect(decision).toEqual({
        kind: 'accepted',
        events: journey.events,
        deviations: structuralDeviations(effectiveHistory(asHistory(journey.events))),
      });
    }));
  });

  it('finds nothing wrong in the effective history of a valid journey', () => {
    fc.assert(fc.property(arbJourney(), (journey) => {
      expect(checkHistory(effectiveHistory(asHistory(journey.events)), journey.lastDate)).toEqual([]);
    }));
  });

  it('accepts a journey from the day before its last date, and rejects it as dated in the future two days before', () => {
    fc.assert(fc.property(arbJourney(), (journey) => {
      expect(decide([], journey.events, addDays(journey.lastDate, -1)).kind).toBe('accepted');
      const early = decide([], journey.events, addDays(journey.lastDate, -2));
      expect(early.kind === 'rejected' && early.violations.every((v) => v.code === 'DATE_IN_FUTURE')).toBe(true);
    }));
  });

  it('accepts the void of a fact exactly when no other event stands on it (the enrollment, an updated AE\'s report, an engrafted Day 0)', () => {
    fc.assert(fc.property(arbJourney(), fc.nat(), (journey, pick) => {
      const facts = factsOf(journey);
      const target = facts[pick % facts.length];
      const updated = new Set(ofType(journey, 'AdverseEventUpdated').map((u) => u.data.aeId));
      const standsOn = (target.type === 'PatientEnrolled' && facts.length > 1)
        || (target.type === 'AdverseEventReported' && updated.has(target.data.aeId))
        || (target.type === 'StemCellsInfused' && ofType(journey, 'EngraftmentRecorded').length > 0);
      const decision = decide(asHistory(journey.events), [voided(target, 'entered in error', freshId(1))], journey.lastDate);
      expect(decision.kind).toBe(standsOn ? 'rejected' : 'accepted');
    }));
  });
});

/** A journey with one thing made wrong: the batch must be rejected for exactly that, at that index. */
interface Mutant {
  readonly events: readonly ClinicalEvent[];
  readonly index: number;
  readonly code: RuleCode;
  /** For CORRECTION_BREAKS_RULES: the one code every cause must carry. */
  readonly cause?: RuleCode;
}

const insertAt = (events: readonly ClinicalEvent[], at: number, event: ClinicalEvent): ClinicalEvent[] => [...events.slice(0, at), event, ...events.slice(at)];

/** Types whose date no other rule depends on, so moving one before the enrollment breaks only the date rule. */
const MOVABLE = new Set<ClinicalFact['type']>(['ChemotherapyStarted', 'GpbmcInfused', 'ResponseAssessed', 'ConditioningStarted', 'StemCellsInfused', 'RelapseDiagnosed', 'FollowUpRecorded', 'AdverseEventReported']);

const mutations: Record<string, (journey: Journey, pick: number) => Mutant | null> = {
  'an event moved before the enrollment': (journey, pick) => {
    const candidates = journey.events.map((e, i) => [e, i] as const).filter(([e]) => 'occurredOn' in e && MOVABLE.has(e.type));
    if (candidates.length === 0) return null;
    const [event, index] = candidates[pick % candidates.length];
    const moved = { ...event, occurredOn: addDays(enrollmentOf(journey).occurredOn, -1 - (pick % 30)) } as ClinicalEvent;
    return { events: journey.events.map((e, i) => (i === index ? moved : e)), index, code: 'DATE_BEFORE_ENROLLMENT' };
  },
  'a second Day 0': (journey, pick) => {
    const [day0] = ofType(journey, 'StemCellsInfused');
    if (!day0) return null;
    const after = journey.events.indexOf(day0) + 1;
    const index = after + (pick % (journey.events.length - after + 1));
    return { events: insertAt(journey.events, index, { ...day0, eventId: freshId(1) }), index, code: 'DAY0_ALREADY_RECORDED' };
  },
  'a second death': (journey, pick) => {
    const [death] = ofType(journey, 'PatientDied');
    if (!death) return null;
    const after = journey.events.indexOf(death) + 1;
    const index = after + (pick % (journey.events.length - after + 1));
    return { events: insertAt(journey.events, index, died(death.occurredOn, {}, freshId(1))), index, code: 'ALREADY_DEAD' };
  },
  'a date after today + 1': (journey, pick) => {
    if (ofType(journey, 'PatientDied').length > 0) return null;
    const index = 1 + (pick % journey.events.length);
    return { events: insertAt(journey.events, index, followUp(addDays(journey.lastDate, 2), freshId(1))), index, code: 'DATE_IN_FUTURE' };
  },
  'a duplicate AE id': (journey, pick) => {
    const reports = ofType(journey, 'AdverseEventReported');
    if (reports.length === 0) return null;
    const report = reports[pick % reports.length];
    const after = journey.events.indexOf(report) + 1;
    const index = after + (pick % (journey.events.length - after + 1));
    return { events: insertAt(journey.events, index, { ...report, eventId: freshId(1), data: { ...report.data, term: 'Another term' } }), index, code: 'DUPLICATE_AE_ID' };
  },
  'an update of an AE never reported': (journey, pick) => {
    const index = 1 + (pick % journey.events.length);
    return { events: insertAt(journey.events, index, aeUpdated(enrollmentOf(journey).occurredOn, 'AE-NEVER', {}, freshId(1))), index, code: 'AE_NOT_FOUND' };
  },
  'a void of an event that does not exist': (journey, pick) => {
    const index = pick % (journey.events.length + 1);
    return { events: insertAt(journey.events, index, voided(freshId(404), 'entered in error', freshId(1))), index, code: 'TARGET_NOT_FOUND' };
  },
  'Day 0 corrected to before the enrollment': (journey, pick) => {
    const [day0] = ofType(journey, 'StemCellsInfused');
    if (!day0) return null;
    const index = journey.events.length;
    const fix = corrected(day0, { occurredOn: addDays(enrollmentOf(journey).occurredOn, -1 - (pick % 10)) }, 'wrong year', freshId(1));
    return { events: [...journey.events, fix], index, code: 'CORRECTION_BREAKS_RULES', cause: 'DATE_BEFORE_ENROLLMENT' };
  },
  'the enrollment voided': (journey) => {
    if (journey.events.length < 2) return null;
    const index = journey.events.length;
    return { events: [...journey.events, voided(enrollmentOf(journey), 'wrong patient', freshId(1))], index, code: 'CORRECTION_BREAKS_RULES', cause: 'FIRST_EVENT_NOT_ENROLLMENT' };
  },
};

describe('decide over journeys with one rule broken', () => {
  it.each(Object.keys(mutations))('rejects %s with its code, at its index, and nothing else', (name) => {
    const mutate = mutations[name];
    fc.assert(fc.property(arbJourney(), fc.nat(), (journey, pick) => {
      const mutant = mutate(journey, pick);
      fc.pre(mutant !== null);
      const { events, index, code, cause } = mutant!;

      const asBatch = decide([], events, journey.lastDate);
      expect(asBatch.kind).toBe('rejected');
      if (asBatch.kind !== 'rejected') return;
      expect(asBatch.violations.map((v) => [v.code, v.eventIndex])).toEqual([[code, index]]);
      if (cause) {
        expect(asBatch.violations[0].causes?.length).toBeGreaterThan(0);
        expect(asBatch.violations[0].causes?.every((c) => c.code === cause)).toBe(true);
      }

      // The same event appended alone after the ones before it: rejected the same way.
      const alone = decide(asHistory(events.slice(0, index)), [events[index]], journey.lastDate);
      expect(alone.kind === 'rejected' && alone.violations.map((v) => v.code)).toEqual([code]);
    }));
  });

  // A batch is judged by the history it leaves, so it may also mend in a later event what an
  // earlier one broke (tested with corrections below); a rule broken for good is refused either way.
  it('accepts a batch exactly when its events are accepted appended one by one, for facts broken for good', () => {
    const anyMutation = fc.constantFrom(...Object.values(mutations));
    fc.assert(fc.property(arbJourney(), fc.option(anyMutation, { nil: undefined }), fc.nat(), fc.nat(), (journey, mutate, pick, cut) => {
      const events = (mutate && mutate(journey, pick)?.events) || journey.events;
      const split = cut % (events.length + 1);
      const history = events.slice(0, split);
      const batch = events.slice(split);
      const stored = [...history];
      let oneByOne = true;
      for (const event of batch) {
        const decision = decide(asHistory(stored), [event], journey.lastDate);
        if (decision.kind === 'rejected') oneByOne = false;
        stored.push(event);
      }
      expect(decide(asHistory(history), batch, journey.lastDate).kind).toBe(oneByOne ? 'accepted' : 'rejected');
    }));
  });
});

/** How a generated correction changes its target. */
interface ChangePlan {
  readonly pick: number;
  readonly kind: 'void' | 'date' | 'data' | 'both';
  readonly shift: number;
  readonly alt: number;
}

const arbChanges = fc.array(fc.record({
  pick: fc.nat(),
  kind: fc.constantFrom<ChangePlan['kind']>('void', 'date', 'data', 'both'),
  // Wide enough to cross the enrollment, Day 0, a death or today; never 0 (a correction must change something).
  shift: fc.oneof(fc.integer({ min: -400, max: -1 }), fc.integer({ min: 1, max: 400 })),
  alt: fc.nat(),
}), { minLength: 1, maxLength: 3 });

/** Replacement data a client could send for the fact (valid at the edge), or undefined when its type has no rule on its data. */
function otherData(fact: ClinicalFact, alt: number): ClinicalFact['data'] | undefined {
  switch (fact.type) {
    case 'EngraftmentRecorded':
      return { lineage: fact.data.lineage === 'NEUTROPHIL' ? 'PLATELET' : 'NEUTROPHIL' };
    case 'AdverseEventReported':
    case 'AdverseEventUpdated':
      return { ...fact.data, aeId: `AE-${1 + (alt % 6)}` };
    case 'PatientEnrolled':
      return alt % 3 === 0
        ? { ...fact.data, ageYears: 14 }
        : { ...fact.data, consentSignedOn: addDays(fact.occurredOn, (alt % 41) - 20) };
    default:
      return undefined;
  }
}

/** Corrections and voids of distinct facts of the journey, as `plans` says. */
function changesOf(journey: Journey, plans: readonly ChangePlan[]): ClinicalEvent[] {
  const facts = factsOf(journey);
  const taken = new Set<string>();
  const changes: ClinicalEvent[] = [];
  plans.forEach((plan, i) => {
    const target = facts[plan.pick % facts.length];
    if (taken.has(target.eventId)) return;
    taken.add(target.eventId);
    const id = freshId(100 + i);
    if (plan.kind === 'void') {
      changes.push(voided(target, 'entered in error', id));
      return;
    }
    const data = plan.kind === 'date' ? undefined : otherData(target, plan.alt);
    const occurredOn = plan.kind === 'data' && data !== undefined ? undefined : addDays(target.occurredOn, plan.shift);
    changes.push(corrected(target, { ...(occurredOn ? { occurredOn } : {}), ...(data ? { data } : {}) }, 'source document re-read', id));
  });
  return changes;
}

const violationIdentity = (v: { code: string; eventId: string }): string => `${v.code}|${v.eventId}`;

describe('corrections and voids over generated journeys', () => {
  it('accepts a batch of them exactly when the effective history it leaves passes every rule, and names every event at fault when not', () => {
    const seen = { accepted: 0, rejected: 0 };
    fc.assert(fc.property(arbJourney(), arbChanges, (journey, plans) => {
      const changes = changesOf(journey, plans);
      const decision = decide(asHistory(journey.events), changes, journey.lastDate);
      const left = checkHistory(effectiveHistory(asHistory([...journey.events, ...changes])), journey.lastDate);
      seen[decision.kind] += 1;
      if (decision.kind === 'accepted') {
        expect(left).toEqual([]);
        return;
      }
      expect(decision.violations.every((v) => v.code === 'CORRECTION_BREAKS_RULES')).toBe(true);
      const named = decision.violations.flatMap((v) => v.causes ?? []);
      expect(named.map(violationIdentity).sort()).toEqual(left.map(violationIdentity).sort());
      expect(named.every((c) => c.eventType !== undefined && c.occurredOn !== undefined)).toBe(true);
    }));
    // Both outcomes must occur, or the property says nothing.
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.rejected).toBeGreaterThan(0);
  });

  it('accepts the voids of a Day 0 with its engraftments, or of an AE report with its updates, in any order in one batch', () => {
    const seen = { groups: 0 };
    fc.assert(fc.property(arbJourney(), fc.nat(), fc.array(fc.nat(), { minLength: 8, maxLength: 8 }), (journey, pick, order) => {
      const day0 = ofType(journey, 'StemCellsInfused');
      const groups: ClinicalFact[][] = [
        ...(day0.length > 0 ? [[...day0, ...ofType(journey, 'EngraftmentRecorded')]] : []),
        ...ofType(journey, 'AdverseEventReported').map((report) => [report, ...ofType(journey, 'AdverseEventUpdated').filter((u) => u.data.aeId === report.data.aeId)]),
      ].filter((group) => group.length > 1);
      fc.pre(groups.length > 0);
      seen.groups += 1;
      const group = groups[pick % groups.length];
      const shuffled = group.map((fact, i) => ({ fact, key: order[i % order.length] * 10 + i })).sort((x, y) => x.key - y.key).map((x) => x.fact);
      const batch = shuffled.map((fact, i) => voided(fact, 'entered in error', freshId(200 + i)));
      expect(decide(asHistory(journey.events), batch, journey.lastDate).kind).toBe('accepted');
    }));
    expect(seen.groups).toBeGreaterThan(0);
  });
});
