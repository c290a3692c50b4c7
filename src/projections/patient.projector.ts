import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type Database from 'better-sqlite3';
import { Subject, type Subscription } from 'rxjs';
import type { HistoryEntry } from '../domain/history/effective-history';
import { EVENT_STORE, type EventStore, type StoredEvent } from '../event-store/event-store.port';
import { subjectIdOf, toHistoryEntry } from '../event-store/patient-stream';
import { PATIENT_ROW_COLUMNS, patientRow } from './patient-row';

export const READ_MODEL_DB = Symbol('READ_MODEL_DB');

/** Events handled in one read-model transaction at most; bounds memory during a catch-up. */
const FLUSH_AT = 5000;
/** Patients folded in one transaction at most, so a long catch-up never blocks the loop for long. */
const FOLD_AT = 2000;
const CHECKPOINT = 'patients';
/** After the subscription fails for good, the first wait before resubscribing; doubled up to the maximum. */
const FIRST_RETRY_DELAY_MS = 1000;
const MAX_RETRY_DELAY_MS = 60_000;

export interface ProjectorStatus {
  readonly checkpoint: number | null;
  readonly head: number | null;
  readonly caughtUp: boolean;
  readonly state: 'running' | 'catching-up' | 'rebuilding' | 'stopped' | 'failed';
  readonly error?: string;
}

/**
 * Keeps one derived row per patient from the global log.
 *
 * Each received event is stored in `patient_event` and its patient marked dirty, in the
 * same transaction as the checkpoint, so after a crash the projector resumes from a
 * checkpoint that matches what it stored: each event takes effect exactly once. A dirty
 * patient is then re-folded from its own rows. While live that happens in the same
 * transaction; while catching up (at start, or a rebuild) folds wait until the head the
 * log had when the catch-up began is reached, so each patient is folded once rather than
 * once per page of a log where every patient's events are spread thin.
 */
@Injectable()
export class PatientProjector implements OnApplicationBootstrap {
  private readonly logger = new Logger('PatientProjector');
  private subscription: Subscription | null = null;
  private pending: StoredEvent[] = [];
  private flushScheduled = false;
  private state: ProjectorStatus['state'] = 'stopped';
  private error: string | undefined;
  /** Position the catch-up must reach before folds run per flush; null when live. */
  private catchUpTarget: number | null = null;
  private live = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelayMs = FIRST_RETRY_DELAY_MS;
  private folding = false;
  private generation = 0;
  private waiters: { position: number; resolve: () => void }[] = [];
  private readonly statements;
  /** The subjects whose rows a commit changed, or 'reset' when every row was dropped (rebuild). */
  readonly changes = new Subject<readonly string[] | 'reset'>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL_DB) private readonly db: Database.Database,
  ) {
    this.statements = {
      checkpoint: db.prepare<[string], { position: number | null }>('SELECT position FROM checkpoint WHERE name = ?'),
      saveCheckpoint: db.prepare('INSERT INTO checkpoint (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position'),
      insertEntry: db.prepare('INSERT OR REPLACE INTO patient_event (subject_id, revision, entry) VALUES (?, ?, ?)'),
      touch: db.prepare(
        `INSERT INTO patient (subject_id, revision, position, dirty) VALUES (?, ?, ?, 1)
         ON CONFLICT (subject_id) DO UPDATE SET revision = excluded.revision, position = excluded.position, dirty = 1`,
      ),
      dirty: db.prepare<[number], { subject_id: string; revision: number }>('SELECT subject_id, revision FROM patient WHERE dirty = 1 LIMIT ?'),
      entries: db.prepare<[string], string>('SELECT entry FROM patient_event WHERE subject_id = ? ORDER BY revision').pluck(),
      fold: db.prepare(
        `UPDATE patient SET dirty = 0, ${Object.entries(PATIENT_ROW_COLUMNS).map(([key, column]) => `${column} = @${key}`).join(', ')}
         WHERE subject_id = @subjectId`,
      ),
      saveFacts: db.prepare('INSERT OR REPLACE INTO patient_facts (subject_id, facts, aes) VALUES (?, ?, ?)'),
      clear: db.prepare('DELETE FROM patient'),
      clearFacts: db.prepare('DELETE FROM patient_facts'),
      clearEntries: db.prepare('DELETE FROM patient_event'),
      clearCheckpoint: db.prepare('DELETE FROM checkpoint WHERE name = ?'),
    };
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  checkpoint(): number | null {
    return this.statements.checkpoint.get(CHECKPOINT)?.position ?? null;
  }

  async status(): Promise<ProjectorStatus> {
    const head = await this.store.headPosition();
    const checkpoint = this.checkpoint();
    const caughtUp = this.live && (head === null || (checkpoint !== null && checkpoint >= head));
    return { checkpoint, head, caughtUp, state: this.state, ...(this.error ? { error: this.error } : {}) };
  }

  /** Resolves once every event up to `position` is folded into the read model. */
  waitFor(position: number): Promise<void> {
    const current = this.checkpoint();
    if (this.live && current !== null && current >= position) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }

  /** Resolves once the read model holds everything the store held when called. */
  async catchUp(): Promise<void> {
    const head = await this.store.headPosition();
    if (head !== null) await this.waitFor(head);
    else await this.waitUntilLive();
  }

  /** Drops every row and replays the whole log from position 0. */
  async rebuild(): Promise<ProjectorStatus> {
    this.stop();
    this.db.transaction(() => {
      this.statements.clear.run();
      this.statements.clearFacts.run();
      this.statements.clearEntries.run();
      this.statements.clearCheckpoint.run(CHECKPOINT);
    })();
    this.changes.next('reset');
    this.start('rebuilding');
    await this.catchUp();
    return this.status();
  }

  /** Stops following the log after applying what was already received. */
  stop(): void {
    this.generation++;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.flush();
    this.state = 'stopped';
    this.live = false;
  }

  private start(state: 'catching-up' | 'rebuilding' = 'catching-up'): void {
    const generation = ++this.generation;
    this.state = state;
    this.error = undefined;
    this.live = false;
    this.catchUpTarget = null;
    const after = this.checkpoint() ?? undefined;
    this.subscription = this.store.subscribeToAll(after === undefined ? {} : { after }).subscribe({
      next: (event) => this.enqueue(event),
      error: (error: unknown) => {
        this.flush();
        this.state = 'failed';
        this.live = false;
        this.error = error instanceof Error ? error.message : String(error);
        // The store's own retries are spent (e.g. EventStoreDB away for long): try again later, from the checkpoint.
        const delay = this.retryDelayMs;
        this.retryDelayMs = Math.min(this.retryDelayMs * 2, MAX_RETRY_DELAY_MS);
        this.logger.error({ err: error, retryInMs: delay }, 'subscription to the global log failed');
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          if (generation === this.generation) this.start();
        }, delay);
        this.retryTimer.unref();
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

  private waitUntilLive(): Promise<void> {
    return this.live ? Promise.resolve() : new Promise((resolve) => this.waiters.push({ position: -1, resolve }));
  }

  private enqueue(event: StoredEvent): void {
    this.pending.push(event);
    if (this.pending.length >= FLUSH_AT) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Stores the pending events and the checkpoint in one transaction; while live, folds too. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const last = batch[batch.length - 1].position;
    let changed: string[] = [];
    this.db.transaction(() => {
      const touched = new Map<string, StoredEvent>();
      for (const e of batch) {
        const subjectId = subjectIdOf(e.streamId);
        if (subjectId === null) continue;
        this.statements.insertEntry.run(subjectId, e.revision, JSON.stringify(toHistoryEntry(e)));
        touched.set(subjectId, e);
      }
      for (const [subjectId, e] of touched) this.statements.touch.run(subjectId, e.revision, e.position);
      this.statements.saveCheckpoint.run(CHECKPOINT, last);
      if (this.live) this.foldDirty(Number.MAX_SAFE_INTEGER);
      changed = [...touched.keys()];
    })();
    this.changes.next(changed);
    if (this.live) this.resolveWaiters(last);
    else this.goLiveIfCaughtUp();
  }

  /**
   * Once the catch-up reached the head it started from: fold every dirty patient, a chunk
   * per turn of the event loop, then go live. Events arriving meanwhile are stored and
   * marked dirty, and the last chunk takes them too.
   */
  private goLiveIfCaughtUp(): void {
    const checkpoint = this.checkpoint() ?? -1;
    if (this.live || this.folding || this.catchUpTarget === null || checkpoint < this.catchUpTarget) return;
    this.folding = true;
    const generation = this.generation;
    const step = (): void => {
      if (generation !== this.generation) {
        this.folding = false;
        return;
      }
      const folded = this.db.transaction(() => this.foldDirty(FOLD_AT))();
      this.changes.next(folded);
      if (folded.length === FOLD_AT) {
        setImmediate(step);
        return;
      }
      this.folding = false;
      this.live = true;
      this.retryDelayMs = FIRST_RETRY_DELAY_MS;
      this.state = 'running';
      this.resolveWaiters(this.checkpoint() ?? -1);
    };
    step();
  }

  /** Re-folds up to `limit` dirty patients from their stored events; returns their subject ids. */
  private foldDirty(limit: number): string[] {
    const dirty = this.statements.dirty.all(limit);
    for (const { subject_id: subjectId, revision } of dirty) {
      const entries = this.statements.entries.all(subjectId).map((text) => JSON.parse(text) as HistoryEntry);
      const { facts, aes, ...columns } = patientRow(subjectId, revision, entries);
      this.statements.fold.run({ subjectId, ...columns });
      this.statements.saveFacts.run(subjectId, facts, aes);
    }
    return dirty.map((d) => d.subject_id);
  }

  private resolveWaiters(position: number): void {
    const ready = this.waiters.filter((w) => w.position <= position);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.position > position);
    for (const w of ready) w.resolve();
  }
}
