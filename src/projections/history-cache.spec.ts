import type { HistoryEntry } from '../domain/history/effective-history';
import { HistoryCache } from './history-cache';

const entry = (revision: number): HistoryEntry => ({ eventId: `e${revision}`, type: 'FollowUpRecorded', occurredOn: '2026-02-01', data: {}, revision });
const revisions = (cache: HistoryCache, subjectId: string) => cache.get(subjectId)?.map((e) => e.revision);

describe('HistoryCache', () => {
  it('holds a patient from revision 0 on, each event once', () => {
    const cache = new HistoryCache(10);

    cache.add('A', entry(0));
    cache.add('A', entry(1));
    cache.add('A', entry(1));

    expect(revisions(cache, 'A')).toEqual([0, 1]);
    expect(cache.size).toBe(2);
  });

  it('never holds a history with a hole: a patient first seen after revision 0 is not held, and a gap drops the patient', () => {
    const cache = new HistoryCache(10);

    cache.add('late', entry(3));
    cache.add('A', entry(0));
    cache.add('A', entry(2));

    expect(cache.get('late')).toBeUndefined();
    expect(cache.get('A')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('names the least recently touched patients beyond the budget, and lets them go only when evicted', () => {
    const cache = new HistoryCache(3);
    cache.add('A', entry(0));
    cache.add('B', entry(0));
    cache.add('A', entry(1));
    cache.add('C', entry(0));
    cache.add('C', entry(1));

    const leaving = cache.overflow();

    expect(leaving).toEqual(['B', 'A']);
    expect(cache.size).toBe(5);
    cache.evict(leaving);
    expect(cache.size).toBe(2);
    expect(revisions(cache, 'C')).toEqual([0, 1]);
  });

  it('lets the least recently touched patients go at once when its budget shrinks', () => {
    const cache = new HistoryCache(10);
    cache.add('A', entry(0));
    cache.add('B', entry(0));
    cache.add('B', entry(1));
    cache.add('C', entry(0));

    cache.resize(3);

    expect([cache.get('A'), revisions(cache, 'B'), revisions(cache, 'C')]).toEqual([undefined, [0, 1], [0]]);
    expect(cache.size).toBe(3);
  });

  it('takes a whole history read from the store in place of what it held', () => {
    const cache = new HistoryCache(10);
    cache.add('A', entry(0));

    cache.put('A', [entry(0), entry(1), entry(2)]);
    cache.add('A', entry(3));

    expect(revisions(cache, 'A')).toEqual([0, 1, 2, 3]);
    expect(cache.size).toBe(4);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
