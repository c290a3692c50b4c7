import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The read model lives in its own SQLite file beside the event store, whichever store
 * the events are in. It is a cache: deleting the file and rebuilding from position 0
 * gives the same rows.
 */
export const READ_MODEL_FILE = 'read-model.sqlite';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE patient (
     subject_id      TEXT PRIMARY KEY,
     revision        INTEGER NOT NULL,
     position        INTEGER NOT NULL,
     entries         TEXT NOT NULL,
     enrolled_on     TEXT,
     last_event_on   TEXT,
     diagnosis_type  TEXT,
     risk_group      TEXT,
     day0            TEXT,
     off_study_on    TEXT,
     relapsed_on     TEXT,
     has_deviations  INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX patient_diagnosis ON patient (diagnosis_type, risk_group);
   CREATE TABLE checkpoint (
     name     TEXT PRIMARY KEY,
     position INTEGER
   );`,
];

export function openReadModelDatabase(dataDir: string | null): Database.Database {
  const db = dataDir === null ? new Database(':memory:') : (mkdirSync(dataDir, { recursive: true }), new Database(join(dataDir, READ_MODEL_FILE)));
  db.pragma('journal_mode = WAL');
  // The checkpoint commits with the rows, so a crash loses both or neither; the
  // projector then replays from the checkpoint. NORMAL is enough for a cache.
  db.pragma('synchronous = NORMAL');
  const version = db.pragma('user_version', { simple: true }) as number;
  db.transaction(() => {
    for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  })();
  return db;
}
