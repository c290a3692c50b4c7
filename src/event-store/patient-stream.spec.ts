import type { StoredEvent } from './event-store.port';
import { toHistoryEntry, toRecordedEvent, upcast, type Upcasters } from './patient-stream';

const stored = (schemaVersion: number | undefined, data: unknown): StoredEvent => ({
  eventId: '00000000-0000-4000-8000-000000000001',
  type: 'ChemotherapyStarted',
  occurredOn: '2026-01-08',
  data,
  metadata: { source: 'EDC-SYN', actor: { keyId: 'emitter-abc', role: 'emitter' }, ...(schemaVersion === undefined ? {} : { schemaVersion }) },
  streamId: 'patient-SYN-1',
  recordedAt: '2026-01-08T10:00:00.000Z',
  revision: 1,
  position: 7,
});

describe('upcast', () => {
  // A made-up future schema: version 1 named the regimen `protocol`, version 2 `regimen`, version 3 adds `cycle`.
  const upcasters: Upcasters = {
    ChemotherapyStarted: {
      1: (data) => {
        const { protocol, ...rest } = data as { protocol: string };
        return { ...rest, regimen: protocol };
      },
      2: (data) => ({ cycle: 1, ...(data as object) }),
    },
  };

  it.each([
    ['version 1 through both steps', 1, { protocol: 'FLAG' }, { regimen: 'FLAG', cycle: 1 }],
    ['version 2 through the last step', 2, { regimen: 'DAV' }, { regimen: 'DAV', cycle: 1 }],
    ['the current version unchanged', 3, { regimen: 'IAV', cycle: 2 }, { regimen: 'IAV', cycle: 2 }],
  ])('given data of %s, then it reads as the current schema', (_what, version, data, expected) => {
    expect(upcast('ChemotherapyStarted', version, data, upcasters, 3)).toEqual(expected);
  });

  it('refuses data written by a newer schema than this build reads', () => {
    expect(() => upcast('ChemotherapyStarted', 4, {}, upcasters, 3)).toThrow(RangeError);
  });

  it('reads stored events at the current version as they were written, actor apart from client metadata', () => {
    const event = stored(1, { regimen: 'FLAG', cycle: 1 });
    expect(toHistoryEntry(event)).toMatchObject({ data: { regimen: 'FLAG', cycle: 1 }, revision: 1, occurredOn: '2026-01-08' });
    expect(toRecordedEvent(event)).toMatchObject({
      subjectId: 'SYN-1', metadata: { source: 'EDC-SYN' }, actor: { keyId: 'emitter-abc', role: 'emitter' }, schemaVersion: 1, position: 7,
    });
    expect(toRecordedEvent(stored(undefined, {})).schemaVersion).toBe(1);
  });
});
