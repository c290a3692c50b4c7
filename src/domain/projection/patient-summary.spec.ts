import fc from 'fast-check';
import { addDays, daysBetween } from '../calendar/clinical-date';
import { effectiveHistory } from '../history/effective-history';
import { arbJourney, asHistory, chemoStarted, conditioningStarted, enrolled, followUp, gpbmcInfused, stemCellsInfused } from '../testing/journey.fixtures';
import { cohortStatusAsOf, cohortStatusOf, statusInputsOf } from './cohort-status';
import { advanceSummary, aeFactsOf, summaryOf } from './patient-summary';
import { project } from './project';

const projected = (events: Parameters<typeof asHistory>[0], asOf: string) => project('S-SUM', effectiveHistory(asHistory(events)), asOf, { revision: events.length - 1 })!;
/** The latest clinical date of the visible effective history. */
const lastDateOf = (events: Parameters<typeof asHistory>[0]) => {
  const effective = effectiveHistory(asHistory(events));
  return effective[effective.length - 1].occurredOn;
};

describe('advanceSummary', () => {
  it('given a summary projected once every event was visible, then advancing it to any later date equals projecting at that date', () => {
    const arbCase = arbJourney().chain((journey) =>
      fc.record({ journey: fc.constant(journey), later: fc.integer({ min: 0, max: 1200 }) }),
    );
    fc.assert(
      fc.property(arbCase, ({ journey, later }) => {
        const last = lastDateOf(journey.events);
        const asOf = addDays(last, later);
        const stored = summaryOf(projected(journey.events, last));
        // JSON round trip: the read model stores the summary as text.
        const advanced = advanceSummary(JSON.parse(JSON.stringify(stored)), asOf);
        const direct = projected(journey.events, asOf);
        expect(advanced).toEqual(JSON.parse(JSON.stringify(summaryOf(direct))));
        expect(aeFactsOf(direct)).toEqual(aeFactsOf(projected(journey.events, last)));
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['Day +100: window still open, early post-transplant', 100, 'EARLY_POST_TRANSPLANT', 'OPEN', 'OPEN'],
    ['Day +101: window closed, long-term follow-up', 101, 'LONG_TERM_FOLLOW_UP', 'CLOSED', 'NO_EVENT'],
    ['Day +730: still in follow-up', 730, 'LONG_TERM_FOLLOW_UP', 'CLOSED', 'NO_EVENT'],
    ['Day +731: completed', 731, 'COMPLETED', 'CLOSED', 'NO_EVENT'],
  ])('given a follow-up on Day +100 as the last event, when advanced to %s', (_what, day, phase, window, primary) => {
    const events = [enrolled('2028-01-03'), chemoStarted('2028-01-05'), gpbmcInfused('2028-01-12'), conditioningStarted('2028-02-20'), stemCellsInfused('2028-02-28'), followUp(addDays('2028-02-28', 100))];
    const advanced = advanceSummary(summaryOf(projected(events, addDays('2028-02-28', 100))), addDays('2028-02-28', day));
    expect([advanced.phase, advanced.day100Window.status, advanced.primaryEndpoint.status]).toEqual([phase, window, primary]);
    expect(daysBetween('2028-02-28', advanced.day100Window.end!)).toBe(100);
  });

  it.each([
    ['Day 0', 0],
    ['Day +99', 99],
  ])('given the last contact on %s and no event, when advanced past the window, then the primary endpoint stays OPEN: not observed through Day +100', (_what, lastDay) => {
    const treatment = [enrolled('2028-01-03'), chemoStarted('2028-01-05'), gpbmcInfused('2028-01-12'), conditioningStarted('2028-02-20'), stemCellsInfused('2028-02-28')];
    const events = lastDay > 0 ? [...treatment, followUp(addDays('2028-02-28', lastDay))] : treatment;
    const advanced = advanceSummary(summaryOf(projected(events, addDays('2028-02-28', lastDay))), addDays('2028-02-28', 400));
    expect(advanced.day100Window.status).toBe('CLOSED');
    expect(advanced.primaryEndpoint).toEqual({ status: 'OPEN', reason: 'NOT_OBSERVED_THROUGH_DAY_100', eventDate: null, byCategory: [] });
  });

  it('given a peripheral blood graft and no news after Day 0, when advanced past Day +30, then graft failure stays pending: the calendar alone proves none', () => {
    const events = [enrolled('2028-01-03'), chemoStarted('2028-01-05'), gpbmcInfused('2028-01-12'), conditioningStarted('2028-02-20'), stemCellsInfused('2028-02-28')];
    const summary = summaryOf(projected(events, '2028-02-28'));

    expect(summary.graftFailure).toBe('PENDING');
    expect(advanceSummary(summary, addDays('2028-02-28', 31)).graftFailure).toBe('PENDING');
    expect(advanceSummary(summary, addDays('2028-02-28', 400)).graftFailure).toBe('PENDING');
  });

  it('refuses to go back in time', () => {
    const summary = summaryOf(projected([enrolled('2026-01-05')], '2026-02-01'));
    expect(() => advanceSummary(summary, '2026-01-31')).toThrow(RangeError);
  });
});

describe('cohortStatusAsOf', () => {
  it('given the inputs stored at the latest clinical date, then the statuses at any later date equal the projection at that date', () => {
    const arbCase = arbJourney().chain((journey) => fc.record({ journey: fc.constant(journey), later: fc.integer({ min: 0, max: 1200 }) }));
    fc.assert(
      fc.property(arbCase, ({ journey, later }) => {
        const last = lastDateOf(journey.events);
        const asOf = addDays(last, later);
        const inputs = statusInputsOf(summaryOf(projected(journey.events, last)));
        expect(cohortStatusAsOf(inputs, asOf)).toEqual(cohortStatusOf(summaryOf(projected(journey.events, asOf))));
      }),
      { numRuns: 300 },
    );
  });
});
