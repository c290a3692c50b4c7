/**
 * A separate process over a SQLite event store, for the tests that need one:
 *
 *   node -r @swc-node/register test/support/sqlite-writer.child.ts hold <dataDir>
 *     opens the store, prints "ready", and keeps it open until stdin closes or it is killed;
 *   node -r @swc-node/register test/support/sqlite-writer.child.ts write <dataDir> <maxBatch> <writers>
 *     opens the store, prints "ready", then `writers` concurrent loops append batches of
 *     1..maxBatch events to their own streams, printing one "ack <json>" line per append
 *     once it resolved, until killed (or after 100,000 appends).
 *
 * If the store is locked it prints "locked" and exits with code 3.
 */
import { randomUUID } from 'node:crypto';
import { StoreLockedError } from '../../src/event-store/event-store.errors';
import type { EventToAppend } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';

export interface Ack {
  readonly streamId: string;
  readonly batch: string;
  readonly eventIds: readonly string[];
  readonly revisions: readonly number[];
  readonly positions: readonly number[];
}

/** What every written event carries, so a reader can tell whether its batch is whole. */
export interface BatchMark {
  readonly batch: string;
  readonly index: number;
  readonly size: number;
}

const MAX_APPENDS = 100_000;

async function main(): Promise<void> {
  const [mode, dataDir, maxBatchArg = '1', writersArg = '1'] = process.argv.slice(2);
  let store: SqliteEventStore;
  try {
    store = await SqliteEventStore.open({ dataDir });
  } catch (error) {
    if (error instanceof StoreLockedError) {
      process.stdout.write('locked\n');
      process.exit(3);
    }
    throw error;
  }
  process.stdout.write('ready\n');

  if (mode === 'hold') {
    process.stdin.resume();
    process.stdin.on('end', () => void store.close().then(() => process.exit(0)));
    return;
  }

  const maxBatch = Number(maxBatchArg);
  const run = randomUUID().slice(0, 8);
  let appends = 0;
  const writer = async (w: number) => {
    const streams = [0, 1, 2].map((s) => `crash-w${w}-s${s}`);
    const revisions = new Map<string, number | null>();
    for (const streamId of streams) revisions.set(streamId, (await store.readStream(streamId)).at(-1)?.revision ?? null);
    for (let n = 0; appends < MAX_APPENDS; n++) {
      appends++;
      const streamId = streams[n % streams.length];
      const size = 1 + ((n * 7 + w) % maxBatch);
      const batch = `${run}-${w}-${n}`;
      const events: EventToAppend[] = Array.from({ length: size }, (_, index) => ({
        eventId: randomUUID(),
        type: 'CrashTestWritten',
        occurredOn: null,
        data: { batch, index, size } satisfies BatchMark,
        metadata: { writer: w },
      }));
      const current = revisions.get(streamId) ?? null;
      const result = await store.append(streamId, events, current === null ? 'no_stream' : current);
      revisions.set(streamId, result.nextExpectedRevision);
      const ack: Ack = {
        streamId,
        batch,
        eventIds: result.events.map((e) => e.eventId),
        revisions: result.events.map((e) => e.revision),
        positions: result.events.map((e) => e.position),
      };
      process.stdout.write(`ack ${JSON.stringify(ack)}\n`);
    }
  };
  await Promise.all(Array.from({ length: Number(writersArg) }, (_, w) => writer(w)));
  await store.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
