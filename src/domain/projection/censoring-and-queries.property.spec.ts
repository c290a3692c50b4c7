/**
 * Properties of the rules that keep missing data from reading as a finding, over synthetic
 * journeys: a withdrawal can only shorten what is known, and every data query names events
 * that exist and disappears once the site records its answer.
 */
import fc from 'fast-check';
import { addDays, daysBetween } from '../calendar/clinical-date';
import type { ClinicalDate, ClinicalEvent } from '../events/clinical-event';
import { effectiveHistory } from '../history/effective-history';
import { aeReported, aeUpdated, arbJourney, asHistory, engrafted, followUp, withdrawn, type Journey } from '../testing/journey.fixtures';
import type { DataQuery, EndpointOutcome, PatientRecord } from './patient-record';
import { project } from './project';

const SUBJECT = 'SYN-P';
const projectAll = (events: readonly ClinicalEvent[], asOf: ClinicalDate): PatientRecord | null =>
  project(SUBJECT, effectiveHistory(asHistory(events)), asOf, { revision: events.length - 1 });

const enrolledOn = (journey: Journey): ClinicalDate => (journey.events[0] as { readonly occurredOn: ClinicalDate }).occurredOn;
const arbDayIn = (journey: Journey, extra: number): fc.Arbitrary<ClinicalDate> =>
  fc.integer({ min: 0, max: daysBetween(enrolledOn(journey), journey.lastDate) + extra }).map((n) => addDays(enrolledOn(journey), n));

function outcomes(record: PatientRecord): [string, EndpointOutcome][] {
  const list: [string, EndpointOutcome][] = [];
  for (const [origin, endpoints] of [['TX', record.endpoints], ['EN', record.endpointsFromEnrollment]] as const) {
    if (endpoints) for (const code of ['OS', 'PFS', 'GRFS'] as const) list.push([`${origin} ${code}`, endpoints[code]]);
  }
  return list;
}

describe('adding a PatientWithdrawn to any history', () => {
  it('never extends a censoring date, never makes a milestone EVENT_FREE, never makes the primary endpoint NO_EVENT', () => {
    const arbCase = arbJourney().chain((journey) =>
      fc.record({ journey: fc.constant(journey), withdrawnOn: arbDayIn(journey, 0), reason: fc.constantFrom('CONSENT_WITHDRAWN', 'LOST_TO_FOLLOW_UP', 'INVESTIGATOR_DECISION', 'OTHER' as const), asOf: arbDayIn(journey, 900) }),
    );
    fc.assert(
      fc.property(arbCase, ({ journey, withdrawnOn, reason, asOf }) => {
        const before = projectAll(journey.events, asOf);
        const after = projectAll([...journey.events, withdrawn(withdrawnOn, reason, `ffffffff-0000-4000-8000-${String(journey.idNamespace).padStart(12, '0')}`)], asOf);
        fc.pre(before !== null && after !== null);

        const was = new Map(outcomes(before!));
        for (const [name, now] of outcomes(after!)) {
          const then = was.get(name)!;
          if (!now.event) expect([name, now.date <= then.date]).toEqual([name, true]);
          for (const m of ['365', '730'] as const) if (now.milestones[m] === 'EVENT_FREE') expect([name, m, then.milestones[m]]).toEqual([name, m, 'EVENT_FREE']);
        }
        if (after!.relapseVsNrm.event === null) expect(after!.relapseVsNrm.date <= before!.relapseVsNrm.date).toBe(true);
        expect(after!.lastKnownAlive <= before!.lastKnownAlive).toBe(true);
        if (after!.primaryEndpoint.status === 'NO_EVENT') expect(before!.primaryEndpoint.status).toBe('NO_EVENT');
      }),
      { numRuns: 300 },
    );
  });
});

/** The event that answers a query, as a site would record it. */
function answerTo(query: DataQuery, record: PatientRecord, n: number): ClinicalEvent {
  const id = `eeeeeeee-0000-4000-8000-${String(n).padStart(12, '0')}`;
  switch (query.code) {
    case 'DEATH_WITHOUT_GRADE5_AE':
      return aeReported(record.death!.date, { aeId: `AE-ANSWER-${n}`, ctcaeGrade: 5, category: 'OTHER', attribution: 'UNRELATED' }, id);
    case 'NEUTROPHIL_ENGRAFTMENT_NOT_DOCUMENTED':
      return engrafted(record.day0!, 'NEUTROPHIL', id);
    case 'DAY100_NOT_OBSERVED':
      return followUp(record.day100Window.end!, id);
    case 'MILESTONE_VISIT_OVERDUE':
      return followUp(record.milestoneVisits.find((v) => addDays(v.windowTo, 1) === query.raisedOn)!.due, id);
    case 'AE_UNRESOLVED_AT_OFF_STUDY': {
      const ae = record.adverseEvents.find((a) => a.eventId === query.eventIds[0])!;
      return aeUpdated(record.offStudy!.date, ae.aeId, { resolvedOn: record.offStudy!.date }, id);
    }
    default: {
      const unknown: never = query.code;
      throw new Error(`no answer for ${String(unknown)}`);
    }
  }
}

const same = (a: DataQuery, b: DataQuery) => a.code === b.code && a.raisedOn === b.raisedOn && a.eventIds.join() === b.eventIds.join();

describe('data queries over any history', () => {
  it('name only events of the effective history, and each disappears once its answer is recorded', () => {
    const arbCase = arbJourney().chain((journey) => fc.record({ journey: fc.constant(journey), asOf: arbDayIn(journey, 900) }));
    let answered = 0;
    fc.assert(
      fc.property(arbCase, ({ journey, asOf }) => {
        const effective = effectiveHistory(asHistory(journey.events));
        const record = project(SUBJECT, effective, asOf, { revision: 0 });
        fc.pre(record !== null);
        const ids = new Set(effective.map((e) => e.eventId));

        record!.queries.forEach((query, n) => {
          for (const id of query.eventIds) expect([query.code, ids.has(id)]).toEqual([query.code, true]);
          expect(query.question.length).toBeGreaterThan(20);
          const after = projectAll([...journey.events, answerTo(query, record!, n)], asOf)!;
          expect([query.code, after.queries.some((q) => same(q, query))]).toEqual([query.code, false]);
          answered++;
        });
      }),
      { numRuns: 300 },
    );
    // The journeys must exercise the answers, or the property above proves little.
    expect(answered).toBeGreaterThan(50);
  });
});
