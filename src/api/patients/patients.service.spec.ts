import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClinicalEvent } from '../../domain/events/clinical-event';
import { effectiveHistory } from '../../domain/history/effective-history';
import { project } from '../../domain/projection/project';
import { arbJourney, asHistory } from '../../domain/testing/journey.fixtures';
import { patientStreamId } from '../../event-store/patient-stream';
import { SqliteEventStore } from '../../event-store/sqlite/sqlite-event-store';
import { CohortIndex } from '../../projections/cohort-index';
import { PatientProjector } from '../../projections/patient.projector';
import { openReadModelDatabase } from '../../projections/read-model.database';
import { StreamStateCache } from '../events/stream-state.cache';
import { PatientsService } from './patients.service';
import { RecordCache } from './record.cache';

/** A clock that moves one millisecond per reading, so every append has its own recordedAt. */
function tickingClock(start: string) {
  let t = Date.parse(start);
  return { now: () => new Date(t++) };
}

describe('PatientsService.record with recordedBefore', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'patients-service-'));
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('given events appended one by one, then the record known just after event k is the projection of the first k events', async () => {
    await fc.assert(
      fc.asyncProperty(arbJourney(), fc.nat(), async (journey, pick) => {
        const dir = mkdtempSync(join(dataDir, 'run-'));
        const clock = tickingClock('2030-01-01T00:00:00.000Z');
        const store = await SqliteEventStore.open({ dataDir: dir, clock: () => clock.now() });
        const db = openReadModelDatabase(null);
        try {
          const service = new PatientsService(store, db, { now: () => new Date('2030-06-01T00:00:00.000Z') }, new CohortIndex(db, new PatientProjector(store, db)), new StreamStateCache(store), new RecordCache());
          const recordedAt: string[] = [];
          for (const [revision, event] of journey.events.entries()) {
            const result = await store.append(patientStreamId('SYN-RB'), [toAppend(event)], revision === 0 ? 'no_stream' : revision - 1);
            recordedAt.push(result.events[0].recordedAt);
          }
          const k = pick % journey.events.length;
          // The instant just after event k was recorded, and before event k + 1.
          const instant = new Date(Date.parse(recordedAt[k]) + 1).toISOString();
          const asOf = journey.lastDate;
          const known = await service.record('SYN-RB', asOf, instant);
          const firstK = journey.events.slice(0, k + 1);
          const expected = project('SYN-RB', effectiveHistory(asHistory(firstK)), asOf, { revision: k });
          expect(JSON.parse(JSON.stringify(known))).toEqual(JSON.parse(JSON.stringify(expected)));
          expect(JSON.parse((await service.recordView('record', 'SYN-RB', asOf, instant)).json)).toEqual(JSON.parse(JSON.stringify(expected)));
        } finally {
          db.close();
          await store.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});

function toAppend(event: ClinicalEvent) {
  return { eventId: event.eventId, type: event.type, occurredOn: 'occurredOn' in event ? event.occurredOn : null, data: event.data, metadata: {} };
}
