import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { StoredEvent } from './event-store.port';
import { chainDigests } from './stream-digest';

/** A synthetic stored stream of three events. */
function stream(): StoredEvent[] {
  return [0, 1, 2].map((revision) => ({
    streamId: 'patient-SYN-900',
    revision,
    position: 100 + revision,
    eventId: `00000000-0000-4000-8000-00000000000${revision}`,
    type: revision === 0 ? 'PatientEnrolled' : 'FollowUpRecorded',
    occurredOn: `2026-01-0${revision + 5}`,
    data: revision === 0 ? { sex: 'FEMALE', ageYears: 40 } : {},
    metadata: { actor: { keyId: 'emitter-0123456789', role: 'emitter' }, schemaVersion: 1, source: 'EDC-SYN' },
    recordedAt: `2026-06-01T12:00:0${revision}.000Z`,
  }));
}

describe('chainDigests', () => {
  it('pins the algorithm: SHA-256 over the previous digest, a newline and the canonical JSON envelope', () => {
    const [first] = stream();
    const envelope =
      '{"data":{"ageYears":40,"sex":"FEMALE"},"eventId":"00000000-0000-4000-8000-000000000000",' +
      '"metadata":{"actor":{"keyId":"emitter-0123456789","role":"emitter"},"schemaVersion":1,"source":"EDC-SYN"},' +
      '"occurredOn":"2026-01-05","recordedAt":"2026-06-01T12:00:00.000Z","revision":0,"streamId":"patient-SYN-900","type":"PatientEnrolled"}';

    const [digest] = chainDigests([first]);

    expect(digest).toBe(createHash('sha256').update('\n' + envelope).digest('hex'));
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the same for the same stream, whatever the key order of its JSON, and leaves the position out', () => {
    const reordered = stream().map((e) => ({ ...e, position: e.position + 5000, data: Object.fromEntries(Object.entries(e.data as object).reverse()) }));

    expect(chainDigests(reordered)).toEqual(chainDigests(stream()));
  });

  it.each<[string, (e: StoredEvent) => StoredEvent]>([
    ['a data value', (e) => ({ ...e, data: { ...(e.data as object), ageYears: 41 } })],
    ['the clinical date', (e) => ({ ...e, occurredOn: '2026-01-04' })],
    ['the recording time', (e) => ({ ...e, recordedAt: '2026-06-01T11:59:59.999Z' })],
    ['the actor', (e) => ({ ...e, metadata: { ...e.metadata, actor: { keyId: 'emitter-9999999999', role: 'emitter' } } })],
    ['the type', (e) => ({ ...e, type: 'PatientWithdrawn' })],
    ['the event id', (e) => ({ ...e, eventId: '00000000-0000-4000-8000-0000000000ff' })],
    ['the stream', (e) => ({ ...e, streamId: 'patient-SYN-901' })],
  ])('given %s of the first event changed, then every digest from it on changes', (_, change) => {
    const original = chainDigests(stream());
    const [first, ...rest] = stream();

    const altered = chainDigests([change(first), ...rest]);

    expect(altered.map((d, i) => d === original[i])).toEqual([false, false, false]);
  });

  it('keeps the digests before a change, and changes every one from it on, for a change anywhere (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.string({ minLength: 1 }), (at, note) => {
        const original = chainDigests(stream());
        const events = stream();
        events[at] = { ...events[at], metadata: { ...events[at].metadata, note } };

        const altered = chainDigests(events);

        expect(altered.map((d, i) => d === original[i])).toEqual([0, 1, 2].map((i) => i < at));
      }),
    );
  });

  it('notices an event removed or two swapped', () => {
    const [a, b, c] = stream();
    const original = chainDigests([a, b, c]);

    expect(chainDigests([a, c])[1]).not.toBe(original[2]);
    expect(chainDigests([a, c, b])[2]).not.toBe(original[2]);
  });
});
