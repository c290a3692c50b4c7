import { Inject, Injectable } from '@nestjs/common';
import type Database from 'better-sqlite3';
import { CLOCK, type Clock } from '../../common/clock/clock';
import { ProblemError } from '../../common/problem/problem';
import { utcDateOf } from '../../domain/calendar/clinical-date';
import { effectiveHistory, type HistoryEntry } from '../../domain/history/effective-history';
import type { PatientRecord } from '../../domain/projection/patient-record';
import { project } from '../../domain/projection/project';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store.port';
import { patientStreamId, toHistoryEntry } from '../../event-store/patient-stream';
import { READ_MODEL_DB } from '../../projections/patient.projector';
import { unknownPatient } from '../events/patient-events.service';
import type { PatientFilterQuery, PatientListQuery } from './patient-list.query';

interface PatientRow {
  subject_id: string;
  revision: number;
}

/**
 * Reads derived records. One patient is projected from its stream, the source of truth,
 * so it reflects every acknowledged event and any past recording time. Lists read the
 * persisted read model and derive what depends on "today" at read time.
 */
@Injectable()
export class PatientsService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL_DB) private readonly db: Database.Database,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.entries = db.prepare<[string], string>('SELECT entry FROM patient_event WHERE subject_id = ? ORDER BY revision').pluck();
  }

  private readonly entries: Database.Statement<[string], string>;

  today(): string {
    return utcDateOf(this.clock.now());
  }

  async record(subjectId: string, asOf: string | null, recordedBefore: string | null): Promise<PatientRecord> {
    const stored = await this.store.readStream(patientStreamId(subjectId));
    if (stored.length === 0) throw unknownPatient(subjectId);
    const known = recordedBefore === null ? stored : stored.filter((e) => e.recordedAt < recordedBefore);
    const date = asOf ?? this.today();
    const record = known.length === 0 ? null : project(subjectId, effectiveHistory(known.map(toHistoryEntry)), date, { revision: known[known.length - 1].revision });
    if (!record) {
      throw new ProblemError(404, 'NOT_ENROLLED_AS_OF', `Patient ${subjectId} was not enrolled as of ${date}${recordedBefore ? `, as recorded before ${recordedBefore}` : ''}.`);
    }
    return record;
  }

  /** Every patient of the read model that passes the filters, projected as of the date. */
  cohort(filters: PatientFilterQuery): { asOf: string; records: PatientRecord[] } {
    const asOf = filters.asOf ?? this.today();
    const where = ['enrolled_on <= @asOf'];
    if (filters.diagnosis) where.push('diagnosis_type = @diagnosis');
    if (filters.riskGroup) where.push('risk_group = @riskGroup');
    const rows = this.db
      .prepare<Record<string, unknown>, PatientRow>(`SELECT subject_id, revision FROM patient WHERE ${where.join(' AND ')}`)
      .all({ asOf, diagnosis: filters.diagnosis ?? null, riskGroup: filters.riskGroup ?? null });
    const records: PatientRecord[] = [];
    for (const row of rows) {
      const entries = this.entries.all(row.subject_id).map((text) => JSON.parse(text) as HistoryEntry);
      const record = project(row.subject_id, effectiveHistory(entries), asOf, { revision: row.revision });
      if (record && matches(record, filters)) records.push(record);
    }
    return { asOf, records };
  }

  list(query: PatientListQuery) {
    const { asOf, records } = this.cohort(query);
    const sort = query.sort ?? 'subjectId';
    const direction = query.order === 'desc' ? -1 : 1;
    const key = (r: PatientRecord): string | null => (sort === 'subjectId' ? r.subjectId : sort === 'enrolledOn' ? r.enrolledOn : r.day0);
    // Patients without the sort key (no Day 0 yet) come last in either order; ties by subject id.
    records.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      if (ka !== kb) {
        if (ka === null) return 1;
        if (kb === null) return -1;
        return direction * (ka < kb ? -1 : 1);
      }
      return a.subjectId < b.subjectId ? -1 : 1;
    });
    const limit = query.limit ?? 50;
    const offset = query.offset ?? 0;
    return { asOf, total: records.length, limit, offset, items: records.slice(offset, offset + limit) };
  }
}

function matches(record: PatientRecord, f: PatientFilterQuery): boolean {
  return (
    (f.phase === undefined || record.phase === f.phase) &&
    (f.primaryEndpoint === undefined || record.primaryEndpoint.status === f.primaryEndpoint) &&
    (f.windowStatus === undefined || record.day100Window.status === f.windowStatus) &&
    (f.relapsed === undefined || record.relapsed === f.relapsed) &&
    (f.hasDeviations === undefined || record.deviations.length > 0 === f.hasDeviations)
  );
}
