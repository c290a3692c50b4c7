/**
 * Archives: the log (or one patient's stream) as NDJSON, one JSON value per line:
 *
 *   line 1  { kind: "header", format: "timeline-archive", formatVersion: 1, storeKind, serviceVersion, exportedAt, scope }
 *   then    { kind: "event", streamId, revision, position, eventId, type, occurredOn, data, metadata, recordedAt, digest }
 *           { kind: "seal", ...seal } right after the event at the seal's position (whole-log archives only)
 *   last    { kind: "end", events, seals, merkleRoot }
 *
 * Written and read a line at a time (constant memory whatever the size). Reading checks
 * every line as the verifier checks a store, plus the archive's own order and its end
 * line, so a broken, reordered or truncated file is refused naming the line.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { EventStore, StoredEvent } from '../event-store/event-store.port';
import { MerkleLog, sealDigest, type Seal } from '../event-store/log-seal';
import { patientStreamId } from '../event-store/patient-stream';
import { chainDigest } from '../event-store/stream-digest';

export const ARCHIVE_FORMAT = 'timeline-archive';
export const ARCHIVE_FORMAT_VERSION = 1;

export interface ArchiveHeader {
  readonly kind: 'header';
  readonly format: typeof ARCHIVE_FORMAT;
  readonly formatVersion: number;
  readonly storeKind: string;
  readonly serviceVersion: string;
  readonly exportedAt: string;
  readonly scope: { readonly subjectId: string } | 'log';
}

export class ArchiveError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`line ${line}: ${problem}`);
    this.name = 'ArchiveError';
  }
}

async function write(out: Writable, text: string): Promise<void> {
  if (out.write(text)) return;
  // Each wait takes its listeners off again: left on, every full buffer of a long export added one.
  await new Promise<void>((resolve, reject) => {
    const drained = () => {
      out.off('error', failed);
      resolve();
    };
    const failed = (error: unknown) => {
      out.off('drain', drained);
      reject(error);
    };
    out.once('drain', drained);
    out.once('error', failed);
  });
}

const eventLine = (e: StoredEvent) =>
  JSON.stringify({ kind: 'event', streamId: e.streamId, revision: e.revision, position: e.position, eventId: e.eventId, type: e.type, occurredOn: e.occurredOn, data: e.data, metadata: e.metadata, recordedAt: e.recordedAt, digest: e.digest ?? null }) + '\n';

/** Writes an archive of the whole log, or of one subject's stream; `progress` is told the events written so far. */
export async function exportArchive(
  store: EventStore,
  out: Writable,
  options: { storeKind: string; serviceVersion: string; exportedAt: string; subjectId?: string; progress?: (events: number) => void },
): Promise<{ events: number; seals: number; merkleRoot: string }> {
  const header: ArchiveHeader = {
    kind: 'header', format: ARCHIVE_FORMAT, formatVersion: ARCHIVE_FORMAT_VERSION, storeKind: options.storeKind, serviceVersion: options.serviceVersion, exportedAt: options.exportedAt,
    scope: options.subjectId === undefined ? 'log' : { subjectId: options.subjectId },
  };
  await write(out, JSON.stringify(header) + '\n');
  const tree = MerkleLog.empty();
  let events = 0;
  let sealCount = 0;
  if (options.subjectId !== undefined) {
    for (const e of await store.readStream(patientStreamId(options.subjectId))) {
      tree.add(e.digest ?? '0'.repeat(64));
      await write(out, eventLine(e));
      events += 1;
    }
  } else {
    const seals = await store.readSeals();
    let nextSeal = 0;
    let after: number | undefined;
    for (;;) {
      const page = await store.readAll({ ...(after === undefined ? {} : { after }), maxCount: 2000 });
      let chunk = '';
      for (const e of page.events) {
        tree.add(e.digest ?? '0'.repeat(64));
        chunk += eventLine(e);
        events += 1;
        while (nextSeal < seals.length && seals[nextSeal].position <= e.position) {
          chunk += JSON.stringify({ kind: 'seal', ...seals[nextSeal++] }) + '\n';
          sealCount += 1;
        }
      }
      if (chunk) await write(out, chunk);
      options.progress?.(events);
      if (page.isEnd || page.events.length === 0) break;
      after = page.events[page.events.length - 1].position;
    }
  }
  const merkleRoot = tree.root();
  await write(out, JSON.stringify({ kind: 'end', events, seals: sealCount, merkleRoot }) + '\n');
  return { events, seals: sealCount, merkleRoot };
}

export type ArchiveItem = { readonly kind: 'event'; readonly line: number; readonly event: StoredEvent } | { readonly kind: 'seal'; readonly line: number; readonly seal: Seal };

export interface ArchiveSummary {
  readonly header: ArchiveHeader;
  readonly events: number;
  readonly seals: number;
  readonly streams: number;
  readonly merkleRoot: string;
}

/**
 * Reads an archive line by line, checking it whole: every stream's chain and revisions,
 * positions increasing, recording times never going back, each seal where it says (count,
 * position, root, chain), and the end line. Refuses at the first broken line.
 */
export async function* readArchive(input: Readable, summary?: (s: ArchiveSummary) => void): AsyncGenerator<ArchiveItem> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  let header: ArchiveHeader | null = null;
  let ended = false;
  const streams = new Map<string, { revision: number; digest: string }>();
  const tree = MerkleLog.empty();
  let lastPosition = -Infinity;
  let lastRecordedAt = '';
  let lastSeal: Seal | null = null;
  let seals = 0;
  for await (const text of lines) {
    n += 1;
    if (ended) throw new ArchiveError(n, 'a line after the end line');
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new ArchiveError(n, 'not a JSON value (the line is broken)');
    }
    if (value === null || typeof value !== 'object') throw new ArchiveError(n, 'not a JSON object');
    if (n === 1) {
      if (value.kind !== 'header' || value.format !== ARCHIVE_FORMAT) throw new ArchiveError(n, `not a ${ARCHIVE_FORMAT} header`);
      if (value.formatVersion !== ARCHIVE_FORMAT_VERSION) throw new ArchiveError(n, `format version ${String(value.formatVersion)}; this build reads ${ARCHIVE_FORMAT_VERSION}`);
      header = value as unknown as ArchiveHeader;
      continue;
    }
    switch (value.kind) {
      case 'event': {
        const { kind: _kind, digest, ...rest } = value;
        const event = { ...rest, ...(typeof digest === 'string' ? { digest } : {}) } as unknown as StoredEvent;
        if (typeof event.streamId !== 'string' || typeof event.revision !== 'number' || typeof event.position !== 'number' || typeof event.recordedAt !== 'string' || typeof event.eventId !== 'string' || typeof event.type !== 'string') {
          throw new ArchiveError(n, 'an event line lacks streamId, revision, position, eventId, type or recordedAt');
        }
        if (event.position <= lastPosition) throw new ArchiveError(n, `position ${event.position} after ${lastPosition}: lines are out of order`);
        if (event.recordedAt < lastRecordedAt) throw new ArchiveError(n, `recorded at ${event.recordedAt}, before the line ahead of it (${lastRecordedAt}): lines are out of order`);
        const state = streams.get(event.streamId) ?? { revision: -1, digest: '' };
        if (event.revision !== state.revision + 1) throw new ArchiveError(n, `${event.streamId} revision ${event.revision} follows ${state.revision}: lines are missing or out of order`);
        const recomputed = chainDigest(state.digest, event);
        if (event.digest !== recomputed) throw new ArchiveError(n, `${event.streamId} revision ${event.revision}: the digest is not that of the event as written (the line was altered)`);
        streams.set(event.streamId, { revision: event.revision, digest: recomputed });
        tree.add(recomputed);
        lastPosition = event.position;
        lastRecordedAt = event.recordedAt;
        yield { kind: 'event', line: n, event };
        break;
      }
      case 'seal': {
        const { kind: _kind, ...seal } = value as unknown as Seal & { kind: string };
        if (sealDigest(seal) !== seal.digest) throw new ArchiveError(n, `seal ${seal.sequence} does not hash to its digest (the line was altered)`);
        if (seal.sequence !== (lastSeal?.sequence ?? 0) + 1 || seal.previousSealDigest !== (lastSeal?.digest ?? null)) throw new ArchiveError(n, `seal ${seal.sequence} does not continue seal ${lastSeal?.sequence ?? '(none)'}`);
        if (seal.count !== tree.count || seal.position !== lastPosition || seal.merkleRoot !== tree.root()) throw new ArchiveError(n, `seal ${seal.sequence} does not seal the ${tree.count} events before it (count, position or Merkle root differ)`);
        lastSeal = seal;
        seals += 1;
        yield { kind: 'seal', line: n, seal };
        break;
      }
      case 'end': {
        if (value.events !== tree.count || value.seals !== seals || value.merkleRoot !== tree.root()) throw new ArchiveError(n, `the end line counts ${String(value.events)} events and ${String(value.seals)} seals, the archive holds ${tree.count} and ${seals}`);
        ended = true;
        break;
      }
      default:
        throw new ArchiveError(n, `unknown line kind ${JSON.stringify(value.kind)}`);
    }
  }
  if (!header) throw new ArchiveError(1, 'the archive is empty');
  if (!ended) throw new ArchiveError(n + 1, 'the end line is missing: the archive is truncated');
  summary?.({ header, events: tree.count, seals, streams: streams.size, merkleRoot: tree.root() });
}

/** Checks a whole archive without importing it. */
export async function checkArchive(open: () => Readable): Promise<ArchiveSummary> {
  let summary: ArchiveSummary | undefined;
  for await (const _item of readArchive(open(), (s) => (summary = s))) {
    // every line checked as it is read
  }
  return summary!;
}

/**
 * Imports an archive into an empty store: the whole file is checked first (nothing is
 * stored from a broken one), then read again and restored in order, in batches.
 */
export async function importArchive(store: EventStore, open: () => Readable, progress?: (events: number) => void): Promise<ArchiveSummary> {
  if ((await store.headPosition()) !== null) throw new Error('the target store is not empty: an archive is imported into an empty store only');
  const summary = await checkArchive(open);
  let batch: StoredEvent[] = [];
  let done = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await store.restore(batch.map(({ streamId, revision, eventId, type, occurredOn, data, metadata, recordedAt }) => ({ streamId, revision, eventId, type, occurredOn, data, metadata, recordedAt })));
    done += batch.length;
    batch = [];
    progress?.(done);
  };
  for await (const item of readArchive(open())) {
    if (item.kind !== 'event') continue;
    batch.push(item.event);
    if (batch.length >= 2000) await flush();
  }
  await flush();
  return summary;
}
