import { Logger } from '@nestjs/common';

/**
 * A read-model value that does not decode (JSON that does not parse): damage to the
 * cache, not a fault of the request. Names the patient and column, never the content.
 */
export class ReadModelCorruptError extends Error {
  constructor(
    readonly subjectId: string,
    readonly column: string,
  ) {
    super(`the read model's ${column} of patient ${subjectId} is damaged: it is not valid JSON`);
    this.name = 'ReadModelCorruptError';
  }
}

/** Damage already logged, so a list read again and again logs it once. Bounded: a wholly damaged file must not grow the heap. */
const logged = new Set<string>();
const LOGGED_AT_MOST = 10_000;
const logger = new Logger('ReadModel');

/**
 * The JSON of a read-model column. Text that does not parse raises ReadModelCorruptError
 * (a 500 STORED_DATA_CORRUPT), logged once with the patient and column; an admin rebuild
 * (or the start-up check for a damaged file) mends it.
 */
export function parseStoredJson<T>(text: unknown, subjectId: string, column: string): T {
  try {
    if (typeof text !== 'string') throw new TypeError('not text');
    return JSON.parse(text) as T;
  } catch {
    const error = new ReadModelCorruptError(subjectId, column);
    const key = `${subjectId}\u0000${column}`;
    if (!logged.has(key) && logged.size < LOGGED_AT_MOST) {
      logged.add(key);
      logger.error({ subjectId, column, msg: 'read-model value damaged: rebuild the read model (POST /v1/admin/projections/rebuild)' });
    }
    throw error;
  }
}

/**
 * SQLITE_FULL: the disk, or the file's page limit, has no room. Told by code, not class:
 * under jest a native module's errors can come from another realm.
 */
export function isFull(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'SQLITE_FULL';
}

/**
 * The read model was built from another log than the store now holds: the log's identity
 * changed (a file emptied or replaced, a server wiped) or it ends before the read model's
 * checkpoint (events it had seen are gone). Serving it would list patients whose records
 * are gone and hide new events below its checkpoint, so the service does not start.
 * `files` names the event log and the read model, for the message start-up prints.
 */
export class ReadModelMismatchError extends Error {
  constructor(
    readonly files: { readonly eventLog: string; readonly readModel: string },
    readonly reason: string,
  ) {
    super(
      `The read model ${files.readModel} was built from another event log than ${files.eventLog} now holds (${reason}). ` +
        `If events were lost, restore ${files.eventLog} from a backup. If the log was replaced on purpose, move ${files.readModel} aside ` +
        `(it is rebuilt from the log at the next start; the old file shows which patients and revisions the service had seen).`,
    );
    this.name = 'ReadModelMismatchError';
  }
}
