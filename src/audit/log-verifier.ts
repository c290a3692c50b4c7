import type { EventStore, StoredEvent } from '../event-store/event-store.port';
import { MerkleLog, sealDigest, type Seal } from '../event-store/log-seal';
import { chainDigest } from '../event-store/stream-digest';

/** One broken link: where, and what differs. */
export interface Break {
  readonly code: BreakCode;
  readonly message: string;
  readonly streamId?: string;
  readonly revision?: number;
  readonly position?: number;
  /** The seal concerned (a stored or a kept one). */
  readonly sequence?: number;
  readonly expected?: unknown;
  readonly found?: unknown;
}

export type BreakCode =
  | 'DIGEST_MISMATCH'
  | 'DIGEST_MISSING'
  | 'REVISION_GAP'
  | 'POSITION_NOT_INCREASING'
  | 'RECORDED_AT_BACKWARDS'
  | 'SEAL_CHAIN_BROKEN'
  | 'SEAL_DIGEST_MISMATCH'
  | 'SEAL_MISMATCH'
  | 'SEAL_BEYOND_LOG'
  | 'KEPT_SEAL_ALTERED'
  | 'KEPT_SEAL_MISMATCH'
  | 'KEPT_SEAL_BEYOND_LOG'
  | 'KEPT_SEAL_REPLACED';

export interface VerificationReport {
  readonly ok: boolean;
  readonly events: number;
  readonly streams: number;
  /** The log as verified: its last position and the Merkle root over every event's recomputed digest. */
  readonly head: { readonly position: number | null; readonly count: number; readonly merkleRoot: string };
  readonly seals: { readonly stored: number; readonly checked: number; readonly lastVerified: number | null };
  readonly keptSeals: readonly { readonly sequence: number; readonly count: number; readonly ok: boolean }[];
  /** The first broken link of each stream, in log order. */
  readonly streamBreaks: readonly Break[];
  /** Breaks of the log's order, the seal chain and kept seals. */
  readonly logBreaks: readonly Break[];
}

interface StreamState {
  revision: number;
  digest: string;
  broken: boolean;
}

const short = (digest: string | undefined) => (digest ? `${digest.slice(0, 12)}…` : 'none');

/**
 * Checks a log event by event, in log order, holding one small entry per stream: every
 * stream's digest chain (recomputed from the envelopes and compared with the stored
 * digests), revision continuity, positions strictly increasing, recording times never
 * going back, and the Merkle root of the recomputed digests at each stored seal's count.
 * Kept seals (an auditor's copies) are checked the same way, by count and root, which
 * hold across stores (positions are each store's own).
 *
 * A rewrite that recomputes every digest and every seal passes every check but the kept
 * seals: the proof rests on what the auditor kept outside the service.
 */
export class LogVerifier {
  private readonly streams = new Map<string, StreamState>();
  private readonly tree = MerkleLog.empty();
  private readonly streamBreaks: Break[] = [];
  private readonly logBreaks: Break[] = [];
  private readonly seals: readonly Seal[];
  private readonly kept: readonly Seal[];
  private nextSeal = 0;
  private nextKept = 0;
  private lastPosition: number | null = null;
  private lastRecordedAt = '';
  private lastVerified: number | null = null;
  private readonly keptResults: { sequence: number; count: number; ok: boolean }[] = [];

  constructor(seals: readonly Seal[], kept: readonly Seal[] = []) {
    this.seals = [...seals].sort((a, b) => a.sequence - b.sequence);
    this.kept = [...kept].sort((a, b) => a.count - b.count);
    this.checkSealChain();
    this.checkKeptAgainstStored();
  }

  add(event: StoredEvent): void {
    if (this.lastPosition !== null && event.position <= this.lastPosition) {
      this.logBreaks.push({ code: 'POSITION_NOT_INCREASING', ...where(event), expected: `> ${this.lastPosition}`, found: event.position, message: `position ${event.position} follows position ${this.lastPosition}: the log is out of order` });
    }
    if (event.recordedAt < this.lastRecordedAt) {
      this.logBreaks.push({ code: 'RECORDED_AT_BACKWARDS', ...where(event), expected: `>= ${this.lastRecordedAt}`, found: event.recordedAt, message: `recorded at ${event.recordedAt}, before the event ahead of it in the log (${this.lastRecordedAt}): a recording time was moved, or rows were reordered or inserted` });
    }
    this.lastPosition = event.position;
    if (event.recordedAt > this.lastRecordedAt) this.lastRecordedAt = event.recordedAt;

    let state = this.streams.get(event.streamId);
    if (!state) {
      state = { revision: -1, digest: '', broken: false };
      this.streams.set(event.streamId, state);
    }
    const recomputed = chainDigest(state.digest, event);
    if (!state.broken) {
      const fault = this.streamFault(state, event, recomputed);
      if (fault) {
        state.broken = true;
        this.streamBreaks.push(fault);
      }
    }
    state.revision = event.revision;
    state.digest = recomputed;
    this.tree.add(recomputed);
    this.atCount(event);
  }

  finish(): VerificationReport {
    for (; this.nextSeal < this.seals.length; this.nextSeal++) {
      const seal = this.seals[this.nextSeal];
      this.logBreaks.push({ code: 'SEAL_BEYOND_LOG', sequence: seal.sequence, expected: seal.count, found: this.tree.count, message: `seal ${seal.sequence} covers ${seal.count} events up to position ${seal.position}, the log holds ${this.tree.count}: events were removed (the tail truncated)` });
    }
    for (; this.nextKept < this.kept.length; this.nextKept++) {
      const seal = this.kept[this.nextKept];
      this.keptResults.push({ sequence: seal.sequence, count: seal.count, ok: false });
      this.logBreaks.push({ code: 'KEPT_SEAL_BEYOND_LOG', sequence: seal.sequence, expected: seal.count, found: this.tree.count, message: `the kept seal ${seal.sequence} covers ${seal.count} events, the log holds ${this.tree.count}: events it sealed are gone` });
    }
    return {
      ok: this.streamBreaks.length === 0 && this.logBreaks.length === 0,
      events: this.tree.count,
      streams: this.streams.size,
      head: { position: this.lastPosition, count: this.tree.count, merkleRoot: this.tree.root() },
      seals: { stored: this.seals.length, checked: this.nextSeal, lastVerified: this.lastVerified },
      keptSeals: this.keptResults,
      streamBreaks: this.streamBreaks,
      logBreaks: this.logBreaks,
    };
  }

  private streamFault(state: StreamState, event: StoredEvent, recomputed: string): Break | null {
    if (event.revision !== state.revision + 1) {
      return {
        code: 'REVISION_GAP',
        ...where(event),
        expected: state.revision + 1,
        found: event.revision,
        message: state.revision < 0 ? `the stream starts at revision ${event.revision}, not 0: its first events are missing` : `revision ${event.revision} follows ${state.revision}: events are missing, duplicated or reordered`,
      };
    }
    if (event.digest === undefined) return { code: 'DIGEST_MISSING', ...where(event), message: 'no digest was stored with this event' };
    if (event.digest !== recomputed) {
      return {
        code: 'DIGEST_MISMATCH',
        ...where(event),
        expected: recomputed,
        found: event.digest,
        message: `the stored digest ${short(event.digest)} is not the digest of the event as stored (${short(recomputed)}): its content, date, type, id or recording time changed, or the digest was rewritten`,
      };
    }
    return null;
  }

  private atCount(event: StoredEvent): void {
    const count = this.tree.count;
    const seal = this.seals[this.nextSeal];
    if (seal && seal.count === count) {
      this.nextSeal += 1;
      const root = this.tree.root();
      if (root !== seal.merkleRoot || event.position !== seal.position) {
        this.logBreaks.push({
          code: 'SEAL_MISMATCH',
          sequence: seal.sequence,
          position: event.position,
          expected: { position: seal.position, merkleRoot: seal.merkleRoot },
          found: { position: event.position, merkleRoot: root },
          message:
            event.position !== seal.position
              ? `seal ${seal.sequence} says its ${count}th event is at position ${seal.position}, the log has position ${event.position} there: events before it were removed or inserted`
              : `the ${count} events up to seal ${seal.sequence} (position ${seal.position}) are not those sealed: one was changed, moved, removed or inserted`,
        });
      } else this.lastVerified = seal.sequence;
    }
    while (this.kept[this.nextKept]?.count === count) {
      const kept = this.kept[this.nextKept++];
      const ok = (isPartial(kept) || sealDigest(kept) === kept.digest) && this.tree.root() === kept.merkleRoot;
      this.keptResults.push({ sequence: kept.sequence, count, ok });
      if (!ok) {
        this.logBreaks.push({
          code: 'KEPT_SEAL_MISMATCH',
          sequence: kept.sequence,
          position: event.position,
          expected: kept.merkleRoot,
          found: this.tree.root(),
          message: `the first ${count} events of the log are not those of the kept seal ${kept.sequence}: the history before it was rewritten`,
        });
      }
    }
  }

  private checkSealChain(): void {
    let previous: Seal | null = null;
    for (const seal of this.seals) {
      if (sealDigest(seal) !== seal.digest) {
        this.logBreaks.push({ code: 'SEAL_DIGEST_MISMATCH', sequence: seal.sequence, expected: sealDigest(seal), found: seal.digest, message: `seal ${seal.sequence} does not hash to its digest: a field of it was changed` });
      }
      const expectedSequence = (previous?.sequence ?? 0) + 1;
      if (seal.sequence !== expectedSequence || seal.previousSealDigest !== (previous?.digest ?? null) || (previous !== null && seal.count <= previous.count)) {
        this.logBreaks.push({ code: 'SEAL_CHAIN_BROKEN', sequence: seal.sequence, expected: { sequence: expectedSequence, previousSealDigest: previous?.digest ?? null }, found: { sequence: seal.sequence, previousSealDigest: seal.previousSealDigest }, message: `seal ${seal.sequence} does not continue seal ${previous?.sequence ?? '(none)'}: a seal was removed, inserted or rewritten` });
      }
      previous = seal;
    }
  }

  private checkKeptAgainstStored(): void {
    const bySequence = new Map(this.seals.map((s) => [s.sequence, s]));
    for (const kept of this.kept) {
      if (isPartial(kept)) continue;
      if (sealDigest(kept) !== kept.digest) {
        this.logBreaks.push({ code: 'KEPT_SEAL_ALTERED', sequence: kept.sequence, message: `the kept seal ${kept.sequence} does not hash to its own digest: the copy was altered, it proves nothing` });
        continue;
      }
      const stored = bySequence.get(kept.sequence);
      if (stored && (stored.count !== kept.count || stored.merkleRoot !== kept.merkleRoot)) {
        this.logBreaks.push({ code: 'KEPT_SEAL_REPLACED', sequence: kept.sequence, expected: kept.digest, found: stored.digest, message: `the store's seal ${kept.sequence} is not the one kept: the seals were rewritten` });
      }
    }
  }
}

/** A kept seal given by its count and Merkle root alone (no digest): only its root is checked, at its count. */
function isPartial(seal: Seal): boolean {
  return seal.digest === '';
}

function where(event: StoredEvent): Pick<Break, 'streamId' | 'revision' | 'position'> {
  return { streamId: event.streamId, revision: event.revision, position: event.position };
}

/** Verifies a live store: its whole log, page by page, against its seals and any kept ones. */
export async function verifyStore(store: EventStore, kept: readonly Seal[] = [], pageSize = 2000): Promise<VerificationReport> {
  const verifier = new LogVerifier(await store.readSeals(), kept);
  let after: number | undefined;
  for (;;) {
    const page = await store.readAll({ ...(after === undefined ? {} : { after }), maxCount: pageSize });
    for (const event of page.events) verifier.add(event);
    if (page.isEnd || page.events.length === 0) break;
    after = page.events[page.events.length - 1].position;
  }
  return verifier.finish();
}
