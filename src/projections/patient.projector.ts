import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type Database from 'better-sqlite3';
import type { Subscription } from 'rxjs';
import type { EventType } from '../domain/events/clinical-event';
import type { HistoryEntry } from '../domain/history/effective-history';
import { EVENT_STORE, type EventStore, type StoredEvent } from '../event-store/event-store.port';
import { subjectIdOf } from '../event-store/patient-stream';
import { summarizePatient } from './patient-summary';

export const READ_MODEL_DB = Symbol('READ_MODEL_DB');

/** Events handled in one read-model transaction at most; bounds memory during a rebuild. */
const FLUSH_AT = 2000;
const CHECKPOINT = 'patients';

export interface ProjectorStatus {
  readonly checkpoint: number | null;
  readonly head: number | null;
  readonly caughtUp: boolean;
  readonly state: 'running' | 'rebuilding' | 'stopped' | 'failed';
  readonly error?: string;
}

/**
 * Keeps one derived row per patient from the global log. The rows and the checkpoint
 * are written in the same transaction, so after a crash the projector resumes from a
 * checkpoint that matches the rows: each event takes effect exactly once.
 */
@Injectable()
export class PatientProjector implements OnApplicationBootstrap {
  private readonly logger = new Logger('PatientProjector');
  private subscription: Subscription | null = null;
  private pending: StoredEvent[] = [];
  private flushScheduled = false;
  private state: ProjectorStatus['state'] = 'stopped';
  private error: string | undefined;
  private waiters: { position: number; resolve: () => void }[] = [];
  private readonly statements;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL_DB) private readonly db: Database.Database,
  ) {
    this.statements = {
      checkpoint: db.prepare<[string], { position: number | null }>('SELECT position FROM checkpoint WHERE name = ?'),
      saveCheckpoint: db.prepare('INSERT INTO checkpoint (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position'),
      entries: db.prepare<[string], { entries: string }>('SELECT entries FROM patient WHERE subject_id = ?'),
      upsert: db.prepare(
        `INSERT INTO patient (subject_id, revision, position, entries, enrolled_on, last_event_on, diagnosis_type, risk_group, day0,
                              off_study_on, relapsed_on, has_deviations)
         VALUES (@subjectId, @revision, @position, @entries, @enrolledOn, @lastEventOn, @diagnosisType, @riskGroup, @day0,
                 @offStudyOn, @relapsedOn, @hasDeviations)
         ON CONFLICT (subject_id) DO UPDATE SET revision = excluded.revision, position = excluded.position, entries = excluded.entries,
           enrolled_on = excluded.enrolled_on, last_event_on = excluded.last_event_on, diagnosis_type = excluded.diagnosis_type,
           risk_group = excluded.risk_group, day0 = excluded.day0, off_study_on = excluded.off_study_on,
           relapsed_on = excluded.relapsed_on, has_deviations = excluded.has_deviations`,
      ),
      clear: db.prepare('DELETE FROM patient'),
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
    return { checkpoint, head, caughtUp: head === null || (checkpoint !== null && checkpoint >= head), state: this.state, ...(this.error ? { error: this.error } : {}) };
  }

  /** Resolves once every event up to `position` is in the read model. */
  waitFor(position: number): Promise<void> {
    const current = this.checkpoint();
    if (current !== null && current >= position) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }

  /** Resolves once the read model holds everything the store held when called. */
  async catchUp(): Promise<void> {
    const head = await this.store.headPosition();
    if (head !== null) await this.waitFor(head);
  }

  /** Drops every row and replays the whole log from position 0. */
  async rebuild(): Promise<ProjectorStatus> {
    this.stop();
    this.db.transaction(() => {
      this.statements.clear.run();
      this.statements.clearCheckpoint.run(CHECKPOINT);
    })();
    this.start('rebuilding');
    await this.catchUp();
    this.state = 'running';
    return this.status();
  }

  private start(state: ProjectorStatus['state'] = 'running'): void {
    this.state = state;
    this.error = undefined;
    const after = this.checkpoint() ?? undefined;
    this.subscription = this.store.subscribeToAll(after === undefined ? {} : { after }).subscribe({
      next: (event) => this.enqueue(event),
      error: (error: unknown) => {
        this.flush();
        this.state = 'failed';
        this.error = error instanceof Error ? error.message : String(error);
        this.logger.error({ err: error }, 'subscription to the global log failed');
      },
    });
  }

  /** Stops following the log after applying what was already received. */
  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.flush();
    this.state = 'stopped';
  }

  private enqueue(event: StoredEvent): void {
    this.pending.push(event);
    if (this.pending.length >= FLUSH_AT) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Applies the pending events, grouped by patient, and the checkpoint in one transaction. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const byStream = new Map<string, StoredEvent[]>();
    for (const event of batch) {
      const list = byStream.get(event.streamId);
      if (list) list.push(event);
      else byStream.set(event.streamId, [event]);
    }
    const last = batch[batch.length - 1].position;
    this.db.transaction(() => {
      for (const [streamId, events] of byStream) {
        const subjectId = subjectIdOf(streamId);
        if (subjectId === null) continue;
        const stored = this.statements.entries.get(subjectId);
        const entries: HistoryEntry[] = stored ? (JSON.parse(stored.entries) as HistoryEntry[]) : [];
        for (const e of events) {
          entries.push({ eventId: e.eventId, type: e.type as EventType, occurredOn: e.occurredOn, data: e.data, revision: e.revision });
        }
        const tail = events[events.length - 1];
        this.statements.upsert.run({ ...summarizePatient(subjectId, entries), subjectId, position: tail.position, entries: JSON.stringify(entries) });
      }
      this.statements.saveCheckpoint.run(CHECKPOINT, last);
    })();
    const ready = this.waiters.filter((w) => w.position <= last);
    if (ready.length > 0) {
      this.waiters = this.waiters.filter((w) => w.position > last);
      for (const w of ready) w.resolve();
    }
  }
}
