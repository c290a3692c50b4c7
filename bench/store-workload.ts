import { randomUUID } from 'node:crypto';
import type { EventStore, EventToAppend } from '../src/event-store/event-store.port';
import { round } from './support';

/** Synthetic, roughly the size of a clinical event with the service's metadata. */
export function syntheticEvent(n: number): EventToAppend {
  return {
    eventId: randomUUID(),
    type: 'AdverseEventReported',
    occurredOn: '2026-03-14',
    data: { term: 'Febrile neutropenia', grade: 3, serious: n % 7 === 0, onset: '2026-03-14', attribution: 'POSSIBLE', notes: 'synthetic benchmark event' },
    metadata: { source: 'EDC', correlationId: `bench-${n}`, actor: { id: 'bench-user', role: 'emitter' }, schemaVersion: 1 },
  };
}

/** The whole global log through the port's readAll, decoded into events, in pages of `pageSize`. */
export async function readWholeLog(store: EventStore, pageSize: number): Promise<{ events: number; seconds: number; eventsPerSecond: number }> {
  const started = performance.now();
  let events = 0;
  let after: number | undefined;
  for (;;) {
    const page = await store.readAll({ ...(after === undefined ? {} : { after }), maxCount: pageSize });
    events += page.events.length;
    if (page.isEnd) break;
    after = page.events[page.events.length - 1].position;
  }
  const ms = performance.now() - started;
  return { events, seconds: round(ms / 1000), eventsPerSecond: Math.round(events / (ms / 1000)) };
}
