import fc from 'fast-check';
import { addDays, daysBetween } from '../calendar/clinical-date';
import type { ClinicalDate, ClinicalEvent } from '../events/clinical-event';
import type { EffectiveEvent } from '../history/effective-history';
import { effectiveHistory } from '../history/effective-history';
import type { Journey } from '../testing/journey.fixtures';
import { arbJourney, asHistory } from '../testing/journey.fixtures';
import type { AeSummary, PatientRecord } from './patient-record';
import { structuralDeviations } from '../rules/deviations';
import { PHASES } from './patient-record';
import { project } from './project';

const SUBJECT = 'S-PROP';
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const enrolledOn = (journey: Journey): ClinicalDate => {
  const enrollment = journey.events.find((e) => e.type === 'PatientEnrolled');
  if (!enrollment || !('occurredOn' in enrollment)) throw new Error('a journey starts with an enrollment');
  return enrollment.occurredOn;
};

/**
 * Two updates of one AE on one date are ordered only by revision (docs/clinical-rules.md section 2),
 * so which one is current legitimately depends on arrival: leave such journeys out.
 */
const hasSameDayUpdatesOfOneAe = (journey: Journey): boolean => {
  const seen = new Set<string>();
  for (const e of journey.events) {
    if (e.type !== 'AdverseEventUpdated') continue;
    const key = `${e.data.aeId}@${e.occurredOn}`;
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
};

/** An as-of date from a few days before enrollment to well after the journey ends. */
const arbAsOf = (journey: Journey): fc.Arbitrary<ClinicalDate> =>
  fc.integer({ min: -5, max: daysBetween(enrolledOn(journey), journey.lastDate) + 800 }).map((n) => addDays(enrolledOn(journey), n));

const byOnset = (a: AeSummary, b: AeSummary): number => cmp(a.onset, b.onset) || cmp(a.aeId, b.aeId);

/** The record without what legitimately depends on revisions: the order of same-day items. */
function withoutRevisionTieBreaks(record: PatientRecord | null): unknown {
  if (record === null) return null;
  return {
    ...record,
    timeline: record.timeline
      .map(({ revision: _revision, ...entry }) => entry)
      .sort((a, b) => cmp(a.occurredOn, b.occurredOn) || cmp(a.eventId, b.eventId)),
    adverseEvents: [...record.adverseEvents].sort(byOnset),
    bridgingAdverseEvents: [...record.bridgingAdverseEvents].sort(byOnset),
    primaryEndpoint: {
      ...record.primaryEndpoint,
      byCategory: record.primaryEndpoint.byCategory.map((row) => ({ ...row, aeIds: [...row.aeIds].sort() })),
    },
    deviations: [...record.deviations].sort((a, b) => cmp(a.date, b.date) || cmp(a.code, b.code)),
  };
}

const projectAll = (events: readonly ClinicalEvent[], asOf: ClinicalDate): PatientRecord | null =>
  project(SUBJECT, effectiveHistory(asHistory(events)), asOf, { revision: events.length - 1 });

describe('project: properties over synthetic journeys', () => {
  it('given the same facts stored in any order, then the record is the same (apart from same-day tie-breaks)', () => {
    const arbCase = arbJourney()
      .filter((j) => !hasSameDayUpdatesOfOneAe(j))
      .chain((journey) =>
        fc.record({
          journey: fc.constant(journey),
          arrival: fc.shuffledSubarray([...journey.events], { minLength: journey.events.length, maxLength: journey.events.length }),
          asOf: arbAsOf(journey),
        }),
      );
    fc.assert(
      fc.property(arbCase, ({ journey, arrival, asOf }) => {
        const asStored = projectAll(journey.events, asOf);
        const permuted = projectAll(arrival, asOf);

        expect(withoutRevisionTieBreaks(permuted)).toEqual(withoutRevisionTieBreaks(asStored));
      }),
      { numRuns: 200 },
    );
  });

  it('given an as-of date d, then the record equals the record over only the events dated on or before d', () => {
    const arbCase = arbJourney().chain((journey) => fc.record({ journey: fc.constant(journey), asOf: arbAsOf(journey) }));
    fc.assert(
      fc.property(arbCase, ({ journey, asOf }) => {
        const effective = effectiveHistory(asHistory(journey.events));
        const upToAsOf: EffectiveEvent[] = effective.filter((e) => e.occurredOn <= asOf);

        expect(project(SUBJECT, effective, asOf, { revision: 7 })).toEqual(project(SUBJECT, upToAsOf, asOf, { revision: 7 }));
      }),
      { numRuns: 200 },
    );
  });

  it('given any journey, then the structural deviations are exactly those of structuralDeviations() over the visible events', () => {
    const arbCase = arbJourney().chain((journey) => fc.record({ journey: fc.constant(journey), asOf: arbAsOf(journey) }));
    fc.assert(
      fc.property(arbCase, ({ journey, asOf }) => {
        const effective = effectiveHistory(asHistory(journey.events));
        const record = project(SUBJECT, effective, asOf, { revision: 0 });
        fc.pre(record !== null);

        const structural = record!.deviations.filter((d) => d.code !== 'MILESTONE_VISIT_OVERDUE');
        expect(structural).toEqual(structuralDeviations(effective.filter((e) => e.occurredOn <= asOf)));
      }),
      { numRuns: 200 },
    );
  });

  it('given any journey, then the phase history is contiguous, forward only, and ends in the current phase', () => {
    const arbCase = arbJourney().chain((journey) => fc.record({ journey: fc.constant(journey), asOf: arbAsOf(journey) }));
    fc.assert(
      fc.property(arbCase, ({ journey, asOf }) => {
        const record = projectAll(journey.events, asOf);
        fc.pre(record !== null);
        const spans = record!.phaseHistory;

        expect(spans[0]).toMatchObject({ phase: 'ENROLLED', from: record!.enrolledOn });
        expect(spans[spans.length - 1]).toMatchObject({ phase: record!.phase, to: null });
        for (let i = 1; i < spans.length; i++) {
          const [previous, span] = [spans[i - 1], spans[i]];
          expect(PHASES.indexOf(span.phase)).toBeGreaterThan(PHASES.indexOf(previous.phase));
          expect(previous.to === previous.from && span.from === previous.from ? previous.to : addDays(previous.to!, 1)).toBe(span.from);
          expect(span.from <= asOf).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('given any journey, then Day numbers agree with js-joda and the window with the as-of date', () => {
    const arbCase = arbJourney().chain((journey) => fc.record({ journey: fc.constant(journey), asOf: arbAsOf(journey) }));
    fc.assert(
      fc.property(arbCase, ({ journey, asOf }) => {
        const record = projectAll(journey.events, asOf);
        fc.pre(record !== null && record.day0 !== null);
        const day0 = record!.day0!;

        for (const entry of record!.timeline) expect(entry.day).toBe(daysBetween(day0, entry.occurredOn));
        expect(record!.day100Window).toEqual({ start: day0, end: addDays(day0, 100), status: asOf > addDays(day0, 100) ? 'CLOSED' : 'OPEN' });
        expect(record!.milestoneVisits.map((v) => v.due)).toEqual([30, 100, 182, 365, 730].map((n) => addDays(day0, n)));
      }),
      { numRuns: 200 },
    );
  });

  it('given a later as-of date, then final states stay final (a primary EVENT, off study, completion, milestone events)', () => {
    const arbCase = arbJourney().chain((journey) =>
      fc.record({ journey: fc.constant(journey), asOf: arbAsOf(journey), later: fc.integer({ min: 1, max: 900 }) }),
    );
    fc.assert(
      fc.property(arbCase, ({ journey, asOf, later }) => {
        const effective = effectiveHistory(asHistory(journey.events));
        const before = project(SUBJECT, effective, asOf, { revision: 0 });
        const after = project(SUBJECT, effective, addDays(asOf, later), { revision: 0 });
        fc.pre(before !== null);

        // Journeys never change an attribution, so an AE that counts keeps counting.
        if (before!.primaryEndpoint.status === 'EVENT') expect(after!.primaryEndpoint.status).toBe('EVENT');
        if (before!.phase === 'OFF_STUDY' || before!.phase === 'COMPLETED') expect(after!.phase).toBe(before!.phase);
        for (const endpoint of ['OS', 'PFS', 'GRFS'] as const) {
          for (const milestone of ['365', '730'] as const) {
            if (before!.endpoints?.[endpoint].milestones[milestone] === 'EVENT') expect(after!.endpoints?.[endpoint].milestones[milestone]).toBe('EVENT');
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
