import { Injectable } from '@nestjs/common';
import { epochDayOf } from '../../domain/projection/epoch-day';
import { QUERY_CODES, type DataQuery, type QueryCode } from '../../domain/projection/patient-record';
import { PatientsService } from '../patients/patients.service';
import type { QueryListQuery } from './query-list.query';

export interface CohortQuery extends DataQuery {
  readonly subjectId: string;
  /** Days from `raisedOn` to the as-of date. */
  readonly ageDays: number;
}

/**
 * The open data queries of the cohort as of a date, for the site coordinators who answer
 * them. Each is recomputed from the patient's history like the record's own, so an answer
 * recorded removes it here too. Only the summaries of patients with a query are read.
 */
@Injectable()
export class QueriesService {
  constructor(private readonly patients: PatientsService) {}

  async list(query: QueryListQuery) {
    const { code, minAgeDays, limit = 50, offset = 0, ...filters } = query;
    const { asOf, patients } = await this.patients.cohort(filters, { where: (status) => status.queryCodes.length > 0 && (code === undefined || status.queryCodes.includes(code)) });
    const asOfDay = epochDayOf(asOf);
    const items: CohortQuery[] = [];
    for (const patient of patients) {
      for (const q of patient.queries) {
        const ageDays = asOfDay - epochDayOf(q.raisedOn);
        if ((code !== undefined && q.code !== code) || (minAgeDays !== undefined && ageDays < minAgeDays)) continue;
        items.push({ subjectId: patient.subjectId, ...q, ageDays });
      }
    }
    // Oldest first: what has waited longest is answered first.
    items.sort((a, b) => (a.raisedOn < b.raisedOn ? -1 : a.raisedOn > b.raisedOn ? 1 : a.subjectId < b.subjectId ? -1 : a.subjectId > b.subjectId ? 1 : 0));
    const byCode = Object.fromEntries(QUERY_CODES.map((c) => [c, 0])) as Record<QueryCode, number>;
    for (const item of items) byCode[item.code]++;
    return { asOf, total: items.length, byCode, limit, offset, items: items.slice(offset, offset + limit) };
  }
}
