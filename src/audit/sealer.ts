import type { Subscription } from 'rxjs';
import type { EventStore, StoredEvent } from '../event-store/event-store.port';
import { makeSeal, MerkleLog, type Seal } from '../event-store/log-seal';

export interface SealPolicy {
  /** A seal at least every this many events. */
  readonly maxEvents: number;
  /** ...or once the oldest unsealed event is this old, whichever comes first. */
  readonly maxAgeMs: number;
}

export const DEFAULT_SEAL_POLICY: SealPolicy = { maxEvents: 1000, maxAgeMs: 60_000 };

export interface SealerLogger {
  error(fields: Record<string, unknown>, message: string): void;
}

/** Stands in for a stored digest an event lacks (an EventStoreDB event written before stored digests): verification reports it. */
const MISSING_DIGEST = '0'.repeat(64);

/**
 * Seals the global log as it grows: follows it from the last stored seal, adds every
 * event's stored digest to a Merkle tree, and stores a seal every `maxEvents` events, or
 * at the first `tick()` once the oldest unsealed event is `maxAgeMs` old by the injected
 * clock. The caller drives `tick()` (a one-second interval in the service; tests call it
 * after moving their clock), so no test waits for time to pass.
 *
 * Seals are made in log order as events arrive and written one after another; a failed
 * write stops the sealer (logged), and the next start continues from the last stored seal.
 * A seal covers events up to its position, so where the 1,000-event seals fall depends
 * only on the log and the timed seals before them.
 */
export class Sealer {
  private tree = MerkleLog.empty();
  private last: Seal | null = null;
  private lastEvent: StoredEvent | null = null;
  private unsealed = 0;
  private oldestUnsealedAt: string | null = null;
  private subscription: Subscription | null = null;
  private writes: Promise<void> = Promise.resolve();
  private failed = false;
  private readonly waiters: { position: number; resolve: () => void }[] = [];

  constructor(
    private readonly store: EventStore,
    private readonly clock: () => Date,
    private readonly policy: SealPolicy = DEFAULT_SEAL_POLICY,
    private readonly logger?: SealerLogger,
  ) {}

  /**
   * Continues from the last stored seal: reads the log after it to the head (sealing as it
   * goes), so the events already stored are sealed when this resolves, then follows the log.
   */
  async start(options: { follow?: boolean } = {}): Promise<void> {
    const seals = await this.store.readSeals();
    this.last = seals[seals.length - 1] ?? null;
    this.tree = this.last ? MerkleLog.fromSeal(this.last) : MerkleLog.empty();
    let after = this.last?.position;
    for (;;) {
      const page = await this.store.readAll({ ...(after === undefined ? {} : { after }), maxCount: 1000 });
      for (const event of page.events) this.add(event);
      if (page.events.length > 0) after = page.events[page.events.length - 1].position;
      if (page.isEnd || page.events.length === 0) break;
    }
    if (options.follow === false) return;
    this.subscription = this.store.subscribeToAll(after === undefined ? {} : { after }).subscribe({
      next: (event) => this.add(event),
      error: (error: unknown) => this.logger?.error({ err: error }, 'sealer lost the log; seals resume at the next start'),
    });
  }

  /** Seals now if the oldest unsealed event has waited `maxAgeMs`. */
  tick(): Seal | null {
    if (this.unsealed === 0 || this.oldestUnsealedAt === null) return null;
    if (this.clock().getTime() - Date.parse(this.oldestUnsealedAt) < this.policy.maxAgeMs) return null;
    return this.seal();
  }

  /** Seals whatever is unsealed (the end of an import), and waits until every seal is stored. */
  async sealNow(): Promise<Seal | null> {
    const seal = this.unsealed > 0 ? this.seal() : null;
    await this.idle();
    return seal;
  }

  /** Resolves once every seal made so far is stored (or its write failed and was logged). */
  idle(): Promise<void> {
    return this.writes;
  }

  /** Resolves once the sealer has taken in the event at `position` (or a later one). */
  reached(position: number): Promise<void> {
    if (this.lastEvent !== null && this.lastEvent.position >= position) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }

  /** Events seen and not yet sealed. */
  get pending(): number {
    return this.unsealed;
  }

  async stop(): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = null;
    await this.writes;
  }

  /** Feeds one event of the log, in log order (exposed for callers that read the log themselves). */
  add(event: StoredEvent): void {
    this.tree.add(event.digest ?? MISSING_DIGEST);
    this.lastEvent = event;
    if (this.unsealed === 0) this.oldestUnsealedAt = event.recordedAt;
    this.unsealed += 1;
    if (this.unsealed >= this.policy.maxEvents) this.seal();
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].position <= event.position) this.waiters.splice(i, 1)[0].resolve();
    }
  }

  private seal(): Seal | null {
    if (this.failed || this.lastEvent === null) return null;
    const seal = makeSeal({
      sequence: (this.last?.sequence ?? 0) + 1,
      position: this.lastEvent.position,
      count: this.tree.count,
      merkleRoot: this.tree.root(),
      frontier: this.tree.frontier(),
      previousSealDigest: this.last?.digest ?? null,
      sealedAt: this.clock().toISOString(),
    });
    this.last = seal;
    this.unsealed = 0;
    this.oldestUnsealedAt = null;
    this.writes = this.writes.then(() =>
      this.store.appendSeal(seal).catch((error: unknown) => {
        this.failed = true;
        this.subscription?.unsubscribe();
        this.logger?.error({ err: error, sequence: seal.sequence }, 'a seal could not be stored; sealing stops until the next start');
      }),
    );
    return seal;
  }
}
