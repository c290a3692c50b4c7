import { effectiveHistory, type HistoryEntry } from './effective-history';

const fact = (revision: number, occurredOn: string, type: HistoryEntry['type'] = 'FollowUpRecorded', data: unknown = {}): HistoryEntry => ({
  eventId: `e${revision}`, type, occurredOn, data, revision,
});

describe('effectiveHistory', () => {
  it('orders by clinical date, ties by revision, never by arrival', () => {
    const given = [fact(0, '2026-01-10'), fact(1, '2026-01-05'), fact(2, '2026-01-05')];
    expect(effectiveHistory(given).map((e) => e.eventId)).toEqual(['e1', 'e2', 'e0']);
  });

  it('drops a voided fact', () => {
    const given = [fact(0, '2026-01-10'), fact(1, '2026-01-11'),
      { eventId: 'v', type: 'EventVoided' as const, data: { targetEventId: 'e0', reason: 'entered in error' }, revision: 2 }];
    expect(effectiveHistory(given).map((e) => e.eventId)).toEqual(['e1']);
  });

  it('applies corrections field by field, the latest winning, and re-orders by the corrected date', () => {
    const given: HistoryEntry[] = [
      fact(0, '2026-01-10', 'RelapseDiagnosed', { kind: 'MOLECULAR' }),
      fact(1, '2026-01-12'),
      { eventId: 'c1', type: 'EventCorrected', data: { targetEventId: 'e0', occurredOn: '2026-01-20', reason: 'typo' }, revision: 2 },
      { eventId: 'c2', type: 'EventCorrected', data: { targetEventId: 'e0', data: { kind: 'HEMATOLOGICAL' }, reason: 'marrow result' }, revision: 3 },
    ];
    const [first, second] = effectiveHistory(given);
    expect(first.eventId).toBe('e1');
    expect(second).toMatchObject({ eventId: 'e0', occurredOn: '2026-01-20', data: { kind: 'HEMATOLOGICAL' }, correctedBy: ['c1', 'c2'] });
  });

  it('gives the same history whatever order the entries are listed in', () => {
    const given = [fact(0, '2026-01-10'), fact(1, '2026-01-05'),
      { eventId: 'v', type: 'EventVoided' as const, data: { targetEventId: 'e0', reason: 'duplicate' }, revision: 2 }];
    expect(effectiveHistory([...given].reverse())).toEqual(effectiveHistory(given));
  });
});
