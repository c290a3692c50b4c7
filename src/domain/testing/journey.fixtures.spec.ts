import fc from 'fast-check';
import type { ClinicalFact } from '../events/clinical-event';
import { effectiveHistory } from '../history/effective-history';
import { structuralDeviations } from '../rules/deviations';
import { arbJourney, asHistory, followUp, nextEventId, resetEventIds, syntheticId, type Journey } from './journey.fixtures';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const facts = (journey: Journey): ClinicalFact[] => journey.events.filter((e): e is ClinicalFact => 'occurredOn' in e);
const firstDate = (journey: Journey, type: ClinicalFact['type']): string | undefined => facts(journey).find((e) => e.type === type)?.occurredOn;

describe('arbJourney', () => {
  it('keeps every date inside the window, the enrollment first, consent before it, and ids unique UUIDs', () => {
    fc.assert(fc.property(arbJourney({ from: '2026-06-01', to: '2026-12-31' }), (journey) => {
      const [enrollment] = journey.events;
      expect(enrollment.type).toBe('PatientEnrolled');
      if (enrollment.type !== 'PatientEnrolled') return;
      expect(enrollment.data.consentSignedOn <= enrollment.occurredOn).toBe(true);
      for (const e of facts(journey)) {
        expect(e.occurredOn >= enrollment.occurredOn && e.occurredOn <= '2026-12-31').toBe(true);
      }
      expect(enrollment.occurredOn >= '2026-06-01').toBe(true);
      const ids = journey.events.map((e) => e.eventId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.every((id) => UUID_V4.test(id))).toBe(true);
    }));
  });

  it('dates the treatment steps in protocol order', () => {
    fc.assert(fc.property(arbJourney(), (journey) => {
      const steps = (['ChemotherapyStarted', 'GpbmcInfused', 'ResponseAssessed', 'ConditioningStarted', 'StemCellsInfused', 'EngraftmentRecorded'] as const)
        .map((type) => firstDate(journey, type))
        .filter((date): date is string => date !== undefined);
      expect(steps).toEqual([...steps].sort());
    }));
  });

  it('makes no deviation when deviations are turned off', () => {
    fc.assert(fc.property(arbJourney({ deviations: false }), (journey) => {
      expect(structuralDeviations(effectiveHistory(asHistory(journey.events)))).toEqual([]);
    }));
  });

  it('gives the same journeys for the same seed', () => {
    const run = (): Journey[] => fc.sample(arbJourney(), { seed: 42, numRuns: 5 });
    expect(run()).toEqual(run());
  });
});

describe('factory ids', () => {
  it('numbers events in sequence, restartable', () => {
    resetEventIds();
    expect([nextEventId(), followUp('2025-01-01').eventId]).toEqual([syntheticId(1), syntheticId(2)]);
    resetEventIds();
    expect(nextEventId()).toBe('00000000-0000-4000-8000-000000000001');
    expect(syntheticId(7, 42)).toBe('0000002a-0000-4000-8000-000000000007');
  });
});
