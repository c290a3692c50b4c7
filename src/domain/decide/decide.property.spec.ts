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

  it('accepts the void of any fact but the enrollment and an AE report that has updates', () => {
    fc.assert(fc.property(arbJourney(), fc.nat(), (journey, pick) => {
      const updated = new Set(ofType(journey, 'AdverseEventUpdated').map((u) => u.data.aeId));
      const voidable = factsOf(journey).filter((e) => e.type !== 'PatientEnrolled' && !(e.type === 'AdverseEventReported' && updated.has(e.data.aeId)));
      fc.pre(voidable.length > 0);
      const target = voidable[pick % voidable.length];
      expect(decide(asHistory(journey.events), [voided(target, 'entered in error', freshId(1))], journey.lastDate).kind).toBe('accepted');
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

  it('accepts a batch exactly when its events are accepted appended one by one', () => {
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
