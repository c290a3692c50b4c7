import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { patientStreamId } from '../event-store/patient-stream';
import { SqliteEventStore } from '../event-store/sqlite/sqlite-event-store';
import { PatientProjector } from './patient.projector';
import { openReadModelDatabase } from './read-model.database';
import { prng, syntheticPatient } from '../../bench/synthetic-cohort';

/**
 * A rebuild decodes each event once: the log is read once through the subscription and
 * every patient is folded from the events held in memory, never read back from its stream.
 * SYNTHETIC patients only (the benchmark's generator).
 */
describe('a rebuild of many patients', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'rebuild-reads-'));
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('given patients whose events are spread through the log, reads every event once and no stream back', async () => {
    const store = await SqliteEventStore.open({ dataDir });
    const random = prng(7);
    const patients = Array.from({ length: 300 }, (_, n) => syntheticPatient(n, random));
    // Each patient's events in three appends, interleaved with the others', as the benchmark's cohort.
    for (let part = 0; part < 3; part++) {
      await Promise.all(patients.map((p) => {
        const size = Math.ceil(p.events.length / 3);
        const chunk = p.events.slice(part * size, (part + 1) * size);
        return chunk.length === 0 ? null : store.append(patientStreamId(p.subjectId), chunk, part === 0 ? 'no_stream' : part * size - 1);
      }));
    }
    const total = patients.reduce((n, p) => n + p.events.length, 0);
    const db = openReadModelDatabase(null);
    const projector = new PatientProjector(store, db);
    const streamReads = jest.spyOn(store, 'readStream');
    const logReads = jest.spyOn(store, 'subscribeToAll');
    let decoded = 0;
    const parse = JSON.parse;
    const parses = jest.spyOn(JSON, 'parse').mockImplementation((text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) => {
      decoded++;
      return parse(text, reviver);
    });
    try {
      projector.onApplicationBootstrap();
      await projector.catchUp();
    } finally {
      parses.mockRestore();
      projector.stop();
    }
    expect(db.prepare('SELECT count(*) AS n FROM patient WHERE dirty = 0').get()).toEqual({ n: patients.length });
    expect(streamReads).not.toHaveBeenCalled();
    expect(logReads).toHaveBeenCalledTimes(1);
    // Data and metadata: two JSON texts per event, each parsed once.
    expect(decoded).toBe(2 * total);
    db.close();
    await store.close();
  });
});
