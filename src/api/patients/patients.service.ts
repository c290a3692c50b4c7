import { Inject, Injectable } from '@nestjs/common';
import type Database from 'better-sqlite3';
import { CLOCK, type Clock } from '../../common/clock/clock';
import { ProblemError } from '../../common/problem/problem';
import { utcDateOf } from '../../domain/calendar/clinical-date';
import { effectiveHistory, type HistoryEntry } from '../../domain/history/effective-history';
import type { PatientRecord } from '../../domain/projection/patient-record';
import { cohortStatusAsOf, cohortStatusOf, type CohortStatus } from '../../domain/projection/cohort-status';
import { advanceSummary, aeFactsOf, summaryOf, type AeFacts, type PatientSummary, type PatientSummaryWithAes } from '../../domain/projection/patient-summary';
import { project } from '../../domain/projection/project';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store.port';
import { patientStreamId, readHistories, toHistoryEntry } from '../../event-store/patient-stream';
import { CohortIndex, type PatientTableRow } from '../../projections/cohort-index';
import { READ_MODEL_DB } from '../../projections/patient.projector';
import { statusInputsOfRow } from '../../projections/patient-row';
import { parseStoredJson } from '../../projections/read-model.errors';
import { unknownPatient } from '../events/patient-events.service';
import { StreamStateCache } from '../events/stream-state.cache';
import { RecordCache, viewKey, type CachedView } from './record.cache';
import type { PatientFilterQuery, PatientListQuery } from './patient-list.query';

/**
 * Reads derived records. One patient is projected from its stream, the source of truth,
 * so it reflects every acknowledged event and any past recording time. Lists read the
 * persisted read model and derive what depends on "today" at read time.
 */
@Injectable()
export class PatientsService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL_DB) db: Database.Database,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly index: CohortIndex,
    private readonly streams: StreamStateCache,
    private readonly views: RecordCache,
  ) {
    this.facts = db.prepare<[string], { facts: string; aes: string }>('SELECT facts, aes FROM patient_facts WHERE subject_id = ?');
  }

  private readonly facts: Database.Statement<[string], { facts: string; aes: string }>;

  today(): string {
    return utcDateOf(this.clock.now());
  }

  /** The record folded from the stream as read from the store now: the reference the cached views are held to. */
  async record(subjectId: string, asOf: string | null, recordedBefore: string | null): Promise<PatientRecord> {
    const stored = await this.store.readStream(patientStreamId(subjectId));
    if (stored.length === 0) throw unknownPatient(subjectId);
    return recordOf(subjectId, stored.map(toHistoryEntry), asOf ?? this.today(), recordedBefore);
  }

  /**
   * The record, or its timeline, as sent: from the view cache when the stream has not moved
   * since the view was made (one read of the events past that revision tells, usually none),
   * else folded and serialised once. A stream the append path holds is extended from memory;
   * any other is read whole and not held, so reads across a whole registry do not fill the
   * heap with decoded streams (which made every garbage collection longer).
   */
  async recordView(kind: 'record' | 'timeline', subjectId: string, asOf: string | null, recordedBefore: string | null): Promise<CachedView> {
    const streamId = patientStreamId(subjectId);
    const date = asOf ?? this.today();
    let revision: number | null;
    let history: () => readonly HistoryEntry[];
    if (this.streams.holds(streamId)) {
      const state = await this.streams.refresh(streamId);
      revision = state.revision;
      history = state.history;
    } else {
      const seen = this.views.revisionOf(subjectId);
      if (seen !== undefined && (await this.store.readStream(streamId, { fromRevision: seen + 1, maxCount: 1 })).length === 0) {
        const held = this.views.get(viewKey(kind, subjectId, seen, date, recordedBefore));
        if (held !== undefined) return held;
      }
      const stored = await this.store.readStream(streamId);
      revision = stored.length === 0 ? null : stored[stored.length - 1].revision;
      history = () => stored.map(toHistoryEntry);
    }
    if (revision === null) throw unknownPatient(subjectId);
    const key = viewKey(kind, subjectId, revision, date, recordedBefore);
    const held = this.views.get(key);
    if (held !== undefined) return held;
    const record = recordOf(subjectId, history(), date, recordedBefore);
    return this.views.put(key, kind === 'record' ? record : timelineOf(record), subjectId, revision);
  }

  /**
   * The patients of the read model enrolled by the date that pass the filters, each
   * turned into what the caller needs. A patient whose every event is dated on or
   * before the date is read from its row: plain columns, with the statuses carried
   * forward to the date (`cohortStatusAsOf`), so a whole registry is counted without
   * parsing JSON (the rows are held in memory by `CohortIndex`). A patient with
   * later-dated events (a past as-of date), or not yet folded, is projected from its
   * stored events instead and handed to `fromSummary`.
   */
  async cohortRows<T>(
    filters: PatientFilterQuery,
    fromRow: (row: PatientTableRow, status: CohortStatus, asOf: string) => T | null,
    fromSummary: (summary: PatientSummaryWithAes) => T | null,
  ): Promise<{ asOf: string; items: T[] }> {
    const asOf = filters.asOf ?? this.today();
    const { diagnosis, riskGroup } = filters;
    const items: (T | null)[] = [];
    const projected: { readonly at: number; readonly subjectId: string; readonly revision: number }[] = [];
    for (const row of await this.index.loaded()) {
      if (row.enrolled_on === null || row.enrolled_on > asOf) continue;
      if ((diagnosis !== undefined && row.diagnosis_type !== diagnosis) || (riskGroup !== undefined && row.risk_group !== riskGroup)) continue;
      if (row.dirty === 0 && row.phase_at_last !== null && row.last_event_on <= asOf) {
        const status = cohortStatusAsOf(statusInputsOfRow(row), asOf);
        if (statusMatches(status, filters)) items.push(fromRow(row, status, asOf));
      } else {
        // Its place is kept, so the order stays the rows' order.
        projected.push({ at: items.length, subjectId: row.subject_id, revision: row.revision });
        items.push(null);
      }
    }
    await readHistories(this.store, projected, (subjectId, entries, k) => {
      const summary = summaryAsOf(subjectId, entries, asOf, projected[k].revision);
      if (summary !== null && statusMatches(cohortStatusOf(summary), filters)) items[projected[k].at] = fromSummary(summary);
    });
    return { asOf, items: items.filter((item): item is T => item !== null) };
  }

  /**
   * Whole summaries of the cohort as of the date (exports): parses each row's stored summary,
   * only for the patients whose statuses pass `where` when given.
   */
  cohort(filters: PatientFilterQuery, options?: { where?: (status: CohortStatus) => boolean }): Promise<{ asOf: string; patients: PatientSummary[] }>;
  cohort(filters: PatientFilterQuery, options: { withAdverseEvents: true }): Promise<{ asOf: string; patients: PatientSummaryWithAes[] }>;
  async cohort(
    filters: PatientFilterQuery,
    options: { withAdverseEvents?: boolean; where?: (status: CohortStatus) => boolean } = {},
  ): Promise<{ asOf: string; patients: PatientSummary[] }> {
    const withAes = options.withAdverseEvents === true;
    const where = options.where ?? (() => true);
    const date = filters.asOf ?? this.today();
    const { asOf, items } = await this.cohortRows<PatientSummary>(
      { ...filters, asOf: date },
      (row, status) => (where(status) ? this.storedSummary(row.subject_id, date, withAes) : null),
      (summary) => (where(cohortStatusOf(summary)) ? summary : null),
    );
    return { asOf, patients: items };
  }

  async list(query: PatientListQuery) {
    interface Candidate {
      readonly subjectId: string;
      readonly enrolledOn: string;
      readonly day0: string | null;
      readonly summary: () => PatientSummary;
    }
    const date = query.asOf ?? this.today();
    const { asOf, items: candidates } = await this.cohortRows<Candidate>(
      { ...query, asOf: date },
      (row) => ({
        subjectId: row.subject_id as string,
        enrolledOn: row.enrolled_on as string,
        day0: row.day0 as string | null,
        summary: () => this.storedSummary(row.subject_id, date, false),
      }),
      (summary) => ({ subjectId: summary.subjectId, enrolledOn: summary.enrolledOn, day0: summary.day0, summary: () => withoutAes(summary) }),
    );
    candidates.sort(patientListOrder(query));
    const limit = query.limit ?? 50;
    const offset = query.offset ?? 0;
    // Only the page's summaries are read in full.
    return { asOf, total: candidates.length, limit, offset, items: candidates.slice(offset, offset + limit).map((c) => c.summary()) };
  }

  private storedSummary(subjectId: string, asOf: string, withAes: boolean): PatientSummaryWithAes {
    const stored = this.facts.get(subjectId);
    const summary = advanceSummary(parseStoredJson<PatientSummary>(stored?.facts, subjectId, 'patient_facts.facts'), asOf);
    return withAes ? { ...summary, adverseEvents: parseStoredJson<AeFacts[]>(stored?.aes, subjectId, 'patient_facts.aes') } : (summary as PatientSummaryWithAes);
  }
}

/** The record as of the date over what was recorded before the instant; 404 when the patient was not enrolled by then. */
function recordOf(subjectId: string, entries: readonly HistoryEntry[], date: string, recordedBefore: string | null): PatientRecord {
  // Recording time never goes back in a stream: what was recorded before an instant is a prefix.
  const known = recordedBefore === null ? entries : entries.filter((e) => (e.recordedAt ?? '') < recordedBefore);
  const record = known.length === 0 ? null : project(subjectId, effectiveHistory(known), date, { revision: known[known.length - 1].revision });
  if (!record) {
    throw new ProblemError(404, 'NOT_ENROLLED_AS_OF', `Patient ${subjectId} was not enrolled as of ${date}${recordedBefore ? `, as recorded before ${recordedBefore}` : ''}.`);
  }
  return record;
}

export function timelineOf(record: PatientRecord) {
  return { subjectId: record.subjectId, asOf: record.asOf, day0: record.day0, revision: record.revision, events: record.timeline };
}

/** The patient's summary, with its AEs, as of the date over the given events. */
function summaryAsOf(subjectId: string, entries: readonly HistoryEntry[], asOf: string, revision: number): PatientSummaryWithAes | null {
  const record = project(subjectId, effectiveHistory(entries), asOf, { revision });
  return record === null ? null : { ...summaryOf(record), adverseEvents: aeFactsOf(record) };
}

function withoutAes({ adverseEvents: _aes, ...summary }: PatientSummaryWithAes): PatientSummary {
  return summary;
}

/** Whether a patient's status passes the list's status filters (also read by the swimmer plot's recording-time path). */
export function statusMatches(status: CohortStatus, f: PatientFilterQuery): boolean {
  return (
    (f.phase === undefined || status.phase === f.phase) &&
    (f.primaryEndpoint === undefined || status.primaryStatus === f.primaryEndpoint) &&
    (f.windowStatus === undefined || status.windowStatus === f.windowStatus) &&
    (f.relapsed === undefined || status.relapsed === f.relapsed) &&
    (f.hasDeviations === undefined || status.hasDeviations === f.hasDeviations) &&
    (f.hasQueries === undefined || status.queryCodes.length > 0 === f.hasQueries)
  );
}

/** The patient list's order: by the sort key, patients without it (no Day 0 yet) last in either direction, ties by subject id. */
export function patientListOrder(query: Pick<PatientListQuery, 'sort' | 'order'>): (a: ListKeys, b: ListKeys) => number {
  const sort = query.sort ?? 'subjectId';
  const direction = query.order === 'desc' ? -1 : 1;
  const key = (p: ListKeys): string | null => (sort === 'subjectId' ? p.subjectId : sort === 'enrolledOn' ? p.enrolledOn : p.day0);
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka !== kb) {
      if (ka === null) return 1;
      if (kb === null) return -1;
      return direction * (ka < kb ? -1 : 1);
    }
    return a.subjectId < b.subjectId ? -1 : 1;
  };
}

interface ListKeys {
  readonly subjectId: string;
  readonly enrolledOn: string;
  readonly day0: string | null;
}
