import { Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import type Database from 'better-sqlite3';
import { Subject, type Subscription } from 'rxjs';
import type { HistoryEntry } from '../domain/history/effective-history';
import { EVENT_STORE, type EventStore, type StoredEvent } from '../event-store/event-store.port';
import { readHistories, subjectIdOf, toHistoryEntry } from '../event-store/patient-stream';
import { HistoryCache } from './history-cache';
import { PATIENT_ROW_COLUMNS, patientRow } from './patient-row';
import { isDamage, READ_MODEL_FILE } from './read-model.database';
import { isFull, ReadModelMismatchError } from './read-model.errors';

export const READ_MODEL_DB = Symbol('READ_MODEL_DB');
export const PROJECTOR_OPTIONS = Symbol('PROJECTOR_OPTIONS');

export interface ProjectorOptions {
  /** Events held in memory for folding, catching up and live alike; 200,000 and 20,000 unless given. */
  readonly cacheBudget?: number;
  /** How the event log and the read model are named in messages (paths, or the store's kind). */
  readonly files?: { readonly eventLog: string; readonly readModel: string };
}

/** Events handled in one read-model transaction at most; bounds memory during a catch-up. */
const FLUSH_AT = 5000;
/** Patients folded in one transaction at most, so a long catch-up never blocks the loop for long. */
const FOLD_AT = 2000;
/**
 * Events of recent patients held in memory for folding (a few hundred bytes each): many
 * while catching up, when every patient's events pass through; fewer once live, where
 * the recently active patients are what the next events touch, and a large heap held for
 * good would only make every full garbage collection of the service longer.
 */
const CATCH_UP_CACHE_BUDGET = 200_000;
const LIVE_CACHE_BUDGET = 20_000;
const CHECKPOINT = 'patients';
const ROW_KEYS = Object.keys(PATIENT_ROW_COLUMNS) as (keyof typeof PATIENT_ROW_COLUMNS)[];
/** After the subscription fails for good, the first wait before resubscribing; doubled up to the maximum. */
const FIRST_RETRY_DELAY_MS = 1000;
const MAX_RETRY_DELAY_MS = 60_000;

export interface ProjectorStatus {
  readonly checkpoint: number | null;
  readonly head: number | null;
  readonly caughtUp: boolean;
  readonly state: 'running' | 'catching-up' | 'rebuilding' | 'stopped' | 'failed';
  readonly error?: string;
  /**
   * Why the read model cannot take what the log holds: its disk is full (it retries by
   * itself), or SQLite found its file damaged while running (set aside and rebuilt at the next start).
   */
  readonly fault?: 'storage-full' | 'damaged';
}

/**
 * Keeps one derived row per patient from the global log.
 *
 * Each received event marks its patient dirty (with the revision and position it
 * reached) in the same transaction as the checkpoint, so after a crash the projector
 * resumes from a checkpoint that matches what it marked: each event takes effect exactly
 * once. A dirty patient is then re-folded over its events up to that revision, taken from
 * the events just received (`HistoryCache`) or, when they are not all at hand, read back
 * from its stream. While live every flush is folded at once; while catching up (at start,
 * or a rebuild) folds wait until the head the log had when the catch-up began is reached,
 * so each patient is folded once rather than once per page of a log where its events are
 * spread thin. Only a patient about to leave the cache is folded early, while its events
 * are still in memory.
 */
@Injectable()
export class PatientProjector implements OnApplicationBootstrap {
  private readonly logger = new Logger('PatientProjector');
  private subscription: Subscription | null = null;
  private pending: StoredEvent[] = [];
  private flushScheduled = false;
  private arrivedSinceCheck = false;
  private state: ProjectorStatus['state'] = 'stopped';
  private error: string | undefined;
  private fault: ProjectorStatus['fault'];
  /** Position the catch-up must reach before folds run per flush; null when live. */
  private catchUpTarget: number | null = null;
  private live = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private foldRetryTimer: NodeJS.Timeout | null = null;
  private retryDelayMs = FIRST_RETRY_DELAY_MS;
  private goingLive = false;
  private stopping = false;
  private foldRun: Promise<void> | null = null;
  private foldRequested = false;
  private generation = 0;
  private waiters: { position: number; resolve: () => void }[] = [];
  /** The position through which every event is folded into rows (-1: an empty log); null before the first fold and during a rebuild. */
  private foldedThrough: number | null = null;
  private readonly cache: HistoryCache;
  private readonly catchUpCacheBudget: number;
  private readonly files: NonNullable<ProjectorOptions['files']>;
  private readonly liveCacheBudget: number;
  private readonly statements;
  /** The subjects whose rows a commit changed, or 'reset' when every row was dropped (rebuild). */
  readonly changes = new Subject<readonly string[] | 'reset'>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL_DB) private readonly db: Database.Database,
    @Optional() @Inject(PROJECTOR_OPTIONS) options: ProjectorOptions | null = null,
  ) {
    this.files = options?.files ?? { eventLog: 'the event store', readModel: READ_MODEL_FILE };
    this.catchUpCacheBudget = options?.cacheBudget ?? CATCH_UP_CACHE_BUDGET;
    this.liveCacheBudget = options?.cacheBudget ?? LIVE_CACHE_BUDGET;
    this.cache = new HistoryCache(this.catchUpCacheBudget);
    this.statements = {
      checkpoint: db.prepare<[string], { position: number | null }>('SELECT position FROM checkpoint WHERE name = ?'),
      saveCheckpoint: db.prepare('INSERT INTO checkpoint (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position'),
      touch: db.prepare(
        `INSERT INTO patient (subject_id, revision, position, dirty) VALUES (?, ?, ?, 1)
         ON CONFLICT (subject_id) DO UPDATE SET revision = excluded.revision, position = excluded.position, dirty = 1`,
      ),
      dirty: db.prepare<[number], { subject_id: string; revision: number }>('SELECT subject_id, revision FROM patient WHERE dirty = 1 LIMIT ?'),
      dirtyRevision: db.prepare<[string], number>('SELECT revision FROM patient WHERE subject_id = ? AND dirty = 1').pluck(),
      // A patient touched again while its events were being read stays dirty for the next fold.
      // Positional parameters, in ROW_KEYS order: binding 30 named ones costs more than the update.
      fold: db.prepare(
        `UPDATE patient SET ${ROW_KEYS.map((key) => `${PATIENT_ROW_COLUMNS[key]} = ?`).join(', ')}, dirty = (revision <> ?)
         WHERE subject_id = ?`,
      ),
      saveFacts: db.prepare('INSERT OR REPLACE INTO patient_facts (subject_id, facts, aes) VALUES (?, ?, ?)'),
      clear: db.prepare('DELETE FROM patient'),
      clearFacts: db.prepare('DELETE FROM patient_facts'),
      clearCheckpoint: db.prepare('DELETE FROM checkpoint WHERE name = ?'),
      sourceId: db.prepare<[string], string>('SELECT store_id FROM source WHERE name = ?').pluck(),
      saveSource: db.prepare('INSERT OR REPLACE INTO source (name, store_id) VALUES (?, ?)'),
      probeSpace: db.prepare<[Buffer]>('INSERT INTO space_probe (bytes) VALUES (?)'),
      clearProbe: db.prepare('DELETE FROM space_probe'),
    };
  }

  /** Checks that the rows were folded from the log the store holds, then follows it. */
  async onApplicationBootstrap(): Promise<void> {
    await this.checkSource();
    this.start();
  }

  /**
   * Refuses (ReadModelMismatchError) a read model whose rows came from another log: the
   * store's identity differs from the one recorded with the rows, or the log ends before the
   * checkpoint. A read model with no rows yet, or from before identities were recorded,
   * takes the store's identity.
   */
  private async checkSource(): Promise<void> {
    const [storeId, head] = [await this.store.identity(), await this.store.headPosition()];
    const recorded = this.statements.sourceId.get(CHECKPOINT);
    const checkpoint = this.checkpoint();
    const reason =
      recorded !== undefined && recorded !== storeId
        ? `the log's identity is ${storeId}, the read model's rows came from ${recorded}`
        : checkpoint !== null && (head === null || head < checkpoint)
          ? `the log ends at position ${head ?? 'none (empty)'}, the read model had seen it up to ${checkpoint}`
          : null;
    if (reason !== null) {
      this.state = 'failed';
      this.error = reason;
      throw new ReadModelMismatchError(this.files, reason);
    }
    if (recorded === undefined) this.statements.saveSource.run(CHECKPOINT, storeId);
  }

  checkpoint(): number | null {
    return this.statements.checkpoint.get(CHECKPOINT)?.position ?? null;
  }

  async status(): Promise<ProjectorStatus> {
    const head = await this.store.headPosition();
    const checkpoint = this.checkpoint();
    const caughtUp = this.live && (head === null || (checkpoint !== null && checkpoint >= head));
    return { checkpoint, head, caughtUp, state: this.state, ...(this.error ? { error: this.error } : {}), ...(this.fault ? { fault: this.fault } : {}) };
  }

  /**
   * After a failure, tries again now rather than when the backoff says: a health probe calls
   * it, so the read model follows the log again as soon as space is freed. After a full disk
   * it first probes for room (commits a 64 KiB row and deletes it) and answers false while
   * there is none. True once a new attempt has started (not caught up: `catchUp` waits for that).
   */
  retryNow(): boolean {
    if (this.state !== 'failed') return true;
    if (this.fault === 'storage-full' && !this.hasRoom()) return false;
    if (this.retryTimer !== null) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
      this.start();
    } else if (this.foldRetryTimer !== null) {
      clearTimeout(this.foldRetryTimer);
      this.foldRetryTimer = null;
      this.resumeFolds(this.generation);
    }
    return true;
  }

  private hasRoom(): boolean {
    try {
      this.db.transaction(() => this.statements.probeSpace.run(Buffer.alloc(65536))).immediate();
      this.db.transaction(() => this.statements.clearProbe.run()).immediate();
      return true;
    } catch (error) {
      if (!isFull(error)) this.logger.error({ err: error, file: READ_MODEL_FILE }, 'probing the read model for room failed');
      return false;
    }
  }

  /** The global position through which every event is folded into rows (-1: the log was empty); null while none is. */
  foldedPosition(): number | null {
    return this.foldedThrough;
  }

  /** Resolves once every event up to `position` is folded into the read model, or when `signal` aborts (the caller gave up). */
  waitFor(position: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const waiter = { position, resolve };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', () => ((this.waiters = this.waiters.filter((w) => w !== waiter)), resolve()), { once: true });
      // Folded already, unless a fold is on its way: it resolves the waiter when done.
      if (this.live && this.foldRun === null) this.requestFolds();
    });
  }

  /** Resolves once the read model holds everything the store held when called. */
  async catchUp(): Promise<void> {
    const head = await this.store.headPosition();
    if (head !== null) await this.waitFor(head);
    else await this.waitUntilLive();
  }

  /** Drops every row and replays the whole log from position 0. */
  async rebuild(): Promise<ProjectorStatus> {
    const storeId = await this.store.identity();
    this.stop();
    this.db.transaction(() => {
      this.statements.clear.run();
      this.statements.clearFacts.run();
      this.statements.clearCheckpoint.run(CHECKPOINT);
      this.statements.saveSource.run(CHECKPOINT, storeId);
    })();
    this.cache.clear();
    this.foldedThrough = null;
    this.changes.next('reset');
    this.start('rebuilding');
    await this.catchUp();
    return this.status();
  }

  /** Stops following the log after marking what was already received; a fold under way is abandoned (its patients stay dirty). */
  stop(): void {
    this.generation++;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    if (this.foldRetryTimer !== null) clearTimeout(this.foldRetryTimer);
    this.retryTimer = null;
    this.foldRetryTimer = null;
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.live = false;
    this.goingLive = false;
    this.catchUpTarget = null;
    this.stopping = true;
    try {
      this.flush();
    } finally {
      this.stopping = false;
    }
    this.state = 'stopped';
  }

  private start(state: 'catching-up' | 'rebuilding' = 'catching-up'): void {
    const generation = ++this.generation;
    this.cache.resize(this.catchUpCacheBudget);
    this.state = state;
    this.error = undefined;
    this.fault = undefined;
    this.live = false;
    this.catchUpTarget = null;
    const after = this.checkpoint() ?? undefined;
    this.subscription = this.store.subscribeToAll(after === undefined ? {} : { after }).subscribe({
      next: (event) => this.enqueue(event),
      error: (error: unknown) => {
        if (generation !== this.generation) return;
        this.flush();
        // The store's own retries are spent (e.g. EventStoreDB away for long): try again later, from the checkpoint.
        if (generation === this.generation) this.resubscribeLater(error, 'subscription to the global log failed');
      },
    });
    void this.store.headPosition().then(
      (head) => {
        if (generation !== this.generation) return;
        this.catchUpTarget = head ?? -1;
        this.flush();
        this.goLiveIfCaughtUp();
      },
      (error: unknown) => this.logger.error({ err: error }, 'cannot read the head of the global log'),
    );
  }

  /**
   * Stops following the log, marks the projector failed, and starts again from the
   * checkpoint after the backoff (or at `retryNow`). What was received and not committed is
   * dropped: it is read again from the checkpoint.
   */
  private resubscribeLater(error: unknown, message: string): void {
    const generation = ++this.generation;
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.pending = [];
    this.live = false;
    this.goingLive = false;
    this.catchUpTarget = null;
    this.state = 'failed';
    this.error = error instanceof Error ? error.message : String(error);
    this.fault = faultOf(error);
    const delay = this.nextRetryDelay();
    this.logger.error({ err: error, retryInMs: delay, ...(this.fault ? { file: READ_MODEL_FILE, fault: this.fault } : {}) }, message);
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (generation === this.generation) this.start();
    }, delay);
    this.retryTimer.unref();
  }

  private waitUntilLive(): Promise<void> {
    return this.live ? Promise.resolve() : new Promise((resolve) => this.waiters.push({ position: -1, resolve }));
  }

  private enqueue(event: StoredEvent): void {
    this.pending.push(event);
    this.arrivedSinceCheck = true;
    if (this.pending.length >= FLUSH_AT) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushIfDue());
    }
  }

  /**
   * While live, flushes every turn of the event loop. While catching up, events arrive
   * turn after turn: it waits until FLUSH_AT are pending, the head is reached, or a turn
   * brings none. Fewer, larger transactions, and a patient whose events lie close together
   * in the log is marked dirty once rather than once per page (a rebuild ran ~10% faster).
   */
  private flushIfDue(): void {
    this.flushScheduled = false;
    const last = this.pending[this.pending.length - 1];
    const reachedHead = last !== undefined && this.catchUpTarget !== null && last.position >= this.catchUpTarget;
    if (!this.live && this.arrivedSinceCheck && !reachedHead) {
      this.arrivedSinceCheck = false;
      this.flushScheduled = true;
      setImmediate(() => this.flushIfDue());
      return;
    }
    this.flush();
  }

  /** Marks the pending events' patients dirty with the checkpoint in one transaction; while live, folds them next. */
  private flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const last = batch[batch.length - 1].position;
    const touched = new Map<string, StoredEvent>();
    for (const e of batch) {
      const subjectId = subjectIdOf(e.streamId);
      if (subjectId === null) continue;
      this.cache.add(subjectId, toHistoryEntry(e));
      touched.set(subjectId, e);
    }
    const leaving = this.cache.overflow();
    try {
      this.db.transaction(() => {
        for (const [subjectId, e] of touched) this.statements.touch.run(subjectId, e.revision, e.position);
        this.statements.saveCheckpoint.run(CHECKPOINT, last);
        // Patients about to leave the cache are folded now, while their events are at hand.
        for (const subjectId of leaving) {
          const revision = this.statements.dirtyRevision.get(subjectId);
          const entries = this.cache.get(subjectId);
          if (revision !== undefined && entries !== undefined && entries.length > revision) this.foldOne(subjectId, revision, entries);
        }
      })();
    } catch (error) {
      // A full disk (or any write failure) rolled the batch back with its checkpoint: it is read
      // again from the log later. Thrown on, it would end the process from a setImmediate.
      if (this.stopping) this.logger.error({ err: error }, 'the read model could not record the last events before stopping; they are read again at start');
      else this.resubscribeLater(error, 'the read model cannot record what the log delivered; it follows the log again later');
      return;
    }
    this.cache.evict(leaving);
    this.changes.next([...touched.keys(), ...leaving]);
    if (this.live) this.requestFolds();
    else this.goLiveIfCaughtUp();
  }

  /**
   * Once the catch-up reached the head it started from: fold every dirty patient, a chunk
   * per turn of the event loop, then go live. Events arriving meanwhile are marked dirty,
   * and the folds that follow going live take them.
   */
  private goLiveIfCaughtUp(): void {
    const checkpoint = this.checkpoint() ?? -1;
    if (this.live || this.goingLive || this.catchUpTarget === null || checkpoint < this.catchUpTarget) return;
    this.goingLive = true;
    const generation = this.generation;
    this.foldAllDirty(generation).then(
      () => {
        if (generation !== this.generation) return;
        this.goingLive = false;
        this.live = true;
        this.retryDelayMs = FIRST_RETRY_DELAY_MS;
        this.state = 'running';
        this.cache.resize(this.liveCacheBudget);
        this.requestFolds();
      },
      (error: unknown) => this.foldFailed(error, generation),
    );
  }

  /** Folds what is dirty now, after any fold under way; at most one runs at a time. */
  private requestFolds(): void {
    if (this.foldRun !== null) {
      this.foldRequested = true;
      return;
    }
    this.foldRequested = false;
    const generation = this.generation;
    this.foldRun = this.foldAllDirty(generation)
      .then(() => {
        this.retryDelayMs = FIRST_RETRY_DELAY_MS;
      })
      .catch((error: unknown) => this.foldFailed(error, generation))
      .finally(() => {
        this.foldRun = null;
        if (this.foldRequested && this.live) this.requestFolds();
      });
  }

  /**
   * Folds dirty patients, FOLD_AT per transaction and turn of the event loop, until a
   * query finds fewer than that; then every event up to the checkpoint read before it is
   * folded, and its waiters resolve. Stops when the projector was stopped meanwhile.
   */
  private async foldAllDirty(generation: number): Promise<void> {
    for (;;) {
      if (generation !== this.generation) return;
      const through = this.checkpoint() ?? -1;
      const dirty = this.statements.dirty.all(FOLD_AT);
      if (dirty.length > 0) {
        const histories = await this.histories(dirty);
        if (generation !== this.generation) return;
        this.db.transaction(() => {
          for (const { subject_id: subjectId, revision } of dirty) this.foldOne(subjectId, revision, histories.get(subjectId)!);
        })();
        this.changes.next(dirty.map((d) => d.subject_id));
      }
      if (dirty.length < FOLD_AT) {
        this.resolveWaiters(through);
        return;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Each patient's events up to its revision: held ones, else read back from its stream (and then held). */
  private async histories(dirty: readonly { subject_id: string; revision: number }[]): Promise<Map<string, readonly HistoryEntry[]>> {
    const out = new Map<string, readonly HistoryEntry[]>();
    const missing: { subjectId: string; revision: number }[] = [];
    for (const { subject_id: subjectId, revision } of dirty) {
      const held = this.cache.get(subjectId);
      if (held !== undefined && held.length > revision) out.set(subjectId, held);
      else missing.push({ subjectId, revision });
    }
    await readHistories(this.store, missing, (subjectId, entries) => {
      out.set(subjectId, entries);
      this.cache.put(subjectId, entries);
    });
    return out;
  }

  /** Folds the patient's events up to `revision` into its row. */
  private foldOne(subjectId: string, revision: number, entries: readonly HistoryEntry[]): void {
    const upTo = entries.length > revision + 1 ? entries.slice(0, revision + 1) : entries;
    const row = patientRow(subjectId, revision, upTo);
    const values: unknown[] = ROW_KEYS.map((key) => row[key]);
    values.push(revision, subjectId);
    this.statements.fold.run(values);
    this.statements.saveFacts.run(subjectId, row.facts, row.aes);
  }

  /** A stream could not be read back (EventStoreDB away): the patients stay dirty and are folded again after a wait. */
  private foldFailed(error: unknown, generation: number): void {
    if (generation !== this.generation) return;
    this.goingLive = false;
    this.state = 'failed';
    this.error = error instanceof Error ? error.message : String(error);
    this.fault = faultOf(error);
    const delay = this.nextRetryDelay();
    this.logger.error({ err: error, retryInMs: delay }, 'folding patients failed; they stay dirty and are folded again later');
    if (this.foldRetryTimer !== null) clearTimeout(this.foldRetryTimer);
    this.foldRetryTimer = setTimeout(() => {
      this.foldRetryTimer = null;
      this.resumeFolds(generation);
    }, delay);
    this.foldRetryTimer.unref();
  }

  private resumeFolds(generation: number): void {
    if (generation !== this.generation) return;
    if (this.live) {
      this.state = 'running';
      this.error = undefined;
      this.fault = undefined;
      this.requestFolds();
    } else {
      this.goLiveIfCaughtUp();
    }
  }

  /** The wait before the next attempt after a failure, doubled each time up to the maximum; a success resets it. */
  private nextRetryDelay(): number {
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(delay * 2, MAX_RETRY_DELAY_MS);
    return delay;
  }

  private resolveWaiters(position: number): void {
    this.foldedThrough = position;
    const ready = this.waiters.filter((w) => w.position <= position);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.position > position);
    for (const w of ready) w.resolve();
  }
}

function faultOf(error: unknown): ProjectorStatus['fault'] {
  return isFull(error) ? 'storage-full' : isDamage(error) ? 'damaged' : undefined;
}
