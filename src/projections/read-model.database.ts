import Database from 'better-sqlite3';
import { Logger } from '@nestjs/common';
import { ownerOnlyDatabaseFile, ownerOnlyDir, type LooseModeReport } from '../common/files/owner-only';
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The read model lives in its own SQLite file beside the event store, whichever store
 * the events are in. It is a cache: deleting the file and rebuilding from position 0
 * gives the same rows.
 */
export const READ_MODEL_FILE = 'read-model.sqlite';

/**
 * `patient` holds the fold: columns lists filter on in SQL, and (in `patient_facts`) the
 * patient's summary as of its latest clinical date, which lists and reports carry
 * forward to the date they are asked for (see domain/projection/patient-summary.ts).
 * `dirty` marks a patient whose events arrived but whose fold is still to come (during a
 * catch-up each patient is folded once); `revision` and `position` are those of the last
 * event received. The events themselves are not copied here: a fold takes them from the
 * projector's memory or reads the patient's stream back from the event store.
 * Migrations apply in order by `user_version`; an applied one is never edited.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE patient (
     subject_id            TEXT PRIMARY KEY,
     revision              INTEGER NOT NULL,
     position              INTEGER NOT NULL,
     dirty                 INTEGER NOT NULL DEFAULT 1,
     enrolled_on           TEXT,
     last_event_on         TEXT,
     diagnosis_type        TEXT,
     risk_group            TEXT,
     day0                  TEXT,
     off_study_on          TEXT,
     phase_at_last         TEXT,
     primary_at_last       TEXT,
     relapsed              INTEGER,
     structural_deviations INTEGER,
     overdue_from          TEXT,
     tx_os_event INTEGER, tx_os_days INTEGER, tx_pfs_event INTEGER, tx_pfs_days INTEGER, tx_grfs_event INTEGER, tx_grfs_days INTEGER,
     en_os_event INTEGER, en_os_days INTEGER, en_pfs_event INTEGER, en_pfs_days INTEGER, en_grfs_event INTEGER, en_grfs_days INTEGER,
     tx_cif_cause INTEGER, tx_cif_days INTEGER, en_cif_cause INTEGER, en_cif_days INTEGER,
     ae_tuples             TEXT
   );
   -- Kept apart so that a scan of patient stays narrow: a cohort report reads a few columns of every row.
   CREATE TABLE patient_facts (
     subject_id TEXT PRIMARY KEY,
     facts      TEXT,
     aes        TEXT
   );
   CREATE INDEX patient_diagnosis ON patient (diagnosis_type, risk_group);
   CREATE INDEX patient_dirty ON patient (dirty) WHERE dirty = 1;
   CREATE TABLE patient_event (
     subject_id TEXT    NOT NULL,
     revision   INTEGER NOT NULL,
     entry      TEXT    NOT NULL,
     PRIMARY KEY (subject_id, revision)
   ) WITHOUT ROWID;
   CREATE TABLE checkpoint (
     name     TEXT PRIMARY KEY,
     position INTEGER
   );`,
  // Version 1 kept a copy of every event; folds now read them from the store when not in memory.
  `DROP TABLE patient_event;`,
  // No query uses it: list and report filters run over the cohort index in memory.
  `DROP INDEX IF EXISTS patient_diagnosis;`,
  // The fold changed (the primary endpoint counts a grade change from its date, NO_EVENT needs
  // follow-up through Day +100, a death from relapse is not NRM, graft failure is derived): rows
  // folded before are dropped with their checkpoint, so the projector folds every patient again
  // from position 0 at start.
  `DELETE FROM patient; DELETE FROM patient_facts; DELETE FROM checkpoint;`,
  // After the disk filled, the projector commits a row here and deletes it to learn that it has room again.
  `CREATE TABLE space_probe (bytes BLOB NOT NULL);`,
  // The identity of the log the rows were folded from; with the checkpoint, what tells the
  // projector at start that the store now holds another log (see ReadModelMismatchError).
  `CREATE TABLE source (name TEXT PRIMARY KEY, store_id TEXT NOT NULL);`,
  // Censoring by documented contact (a withdrawal is not one) and per endpoint, treatment-related
  // deaths in the window, the CONDITIONING AE period, graft failure never from a platelet
  // engraftment alone, and data queries: new columns, and every row folded again from position 0.
  `ALTER TABLE patient ADD COLUMN last_assessed TEXT;
   ALTER TABLE patient ADD COLUMN event_query_codes TEXT;
   ALTER TABLE patient ADD COLUMN unobserved_from TEXT;
   ALTER TABLE patient ADD COLUMN conditioning_on TEXT;
   ALTER TABLE patient ADD COLUMN primary_reason TEXT;
   ALTER TABLE patient ADD COLUMN primary_categories TEXT;
   DELETE FROM patient; DELETE FROM patient_facts; DELETE FROM checkpoint;`,
];

const logger = new Logger('ReadModel');
/** A looser mode found on the read model's dir or files, tightened: logged as a warning. */
const reportLooseMode: LooseModeReport = (fields, message) => logger.warn({ ...fields, msg: message });

export interface ReadModelOpenOptions {
  /** Stamps the name a damaged file is set aside under; the service passes its clock. */
  readonly now?: () => Date;
}

/**
 * Opens (or makes) the read model. A damaged file (one SQLite cannot open, or whose
 * `PRAGMA quick_check` finds faults: a truncated file, a bad header, broken pages) is a
 * disposable cache: it is set aside as `read-model.sqlite.damaged-<time>` (with its -wal
 * and -shm), logged, and a new one made, which the projector fills from position 0.
 */
export function openReadModelDatabase(dataDir: string | null, options: ReadModelOpenOptions = {}): Database.Database {
  if (dataDir === null) return prepare(new Database(':memory:'));
  const file = join(dataDir, READ_MODEL_FILE);
  // The rows are clinical data too: owner-only, as the event store's.
  ownerOnlyDir(dataDir, reportLooseMode);
  ownerOnlyDatabaseFile(file, reportLooseMode);
  let db: Database.Database | undefined;
  try {
    db = new Database(file);
    const check = db.pragma('quick_check(5)', { simple: false }) as { quick_check: string }[];
    const faults = check.map((row) => row.quick_check).filter((line) => line !== 'ok');
    if (faults.length > 0) throw Object.assign(new Error(faults.join('; ')), { code: 'SQLITE_CORRUPT' });
    return prepare(db);
  } catch (error) {
    db?.close();
    if (!isDamage(error)) throw error;
    const stamp = (options.now ?? (() => new Date()))().toISOString().replace(/[:.]/g, '-');
    const setAside = [file, `${file}-wal`, `${file}-shm`].flatMap((path) => {
      if (!existsSync(path)) return [];
      const target = path.replace(READ_MODEL_FILE, `${READ_MODEL_FILE}.damaged-${stamp}`);
      renameSync(path, target);
      return [target];
    });
    logger.error({ file, setAside, fault: (error as Error).message, msg: 'the read model is damaged: set aside, and rebuilt from the event log' });
    ownerOnlyDatabaseFile(file, reportLooseMode);
    return prepare(new Database(file));
  }
}

/** What SQLite says of a damaged file: SQLITE_CORRUPT (and its extended codes) or SQLITE_NOTADB. */
export function isDamage(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

function prepare(db: Database.Database): Database.Database {
  db.pragma('journal_mode = WAL');
  // The checkpoint commits with the rows, so a crash loses both or neither; the
  // projector then replays from the checkpoint. NORMAL is enough for a cache.
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536');
  db.pragma('wal_autocheckpoint = 16384');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) throw new Error(`read model schema ${version} is newer than this build knows (${MIGRATIONS.length}); delete ${READ_MODEL_FILE} to rebuild it`);
  db.transaction(() => {
    for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  })();
  return db;
}
