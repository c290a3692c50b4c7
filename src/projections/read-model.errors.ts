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
