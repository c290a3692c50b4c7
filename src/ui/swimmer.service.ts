import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { parseInstant } from '../api/common/request-params';
import type { PatientFilterQuery } from '../api/patients/patient-list.query';
import { PatientsService, statusMatches } from '../api/patients/patients.service';
import { ProblemError } from '../common/problem/problem';
import { cohortStatusOf } from '../domain/projection/cohort-status';
import type { PatientRecord } from '../domain/projection/patient-record';
import { ReportsService } from '../reports/reports.service';
import { swimmerRowOf, type SwimmerRow } from './figures/swimmer';
import type { SwimmerQuery } from './figure-query.dto';

export interface SwimmerPage {
  readonly asOf: string;
  readonly recordedBefore: string | null;
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
  readonly rows: readonly SwimmerRow[];
}

/**
 * What the pictures read: the patient and report services, reached as any client of them
 * would be. They are AppModule's providers, which this module cannot import (AppModule
 * imports it), so they are looked up once the application is built.
 */
@Injectable()
export class FigureSources implements OnModuleInit {
  patients!: PatientsService;
  reports!: ReportsService;
  constructor(private readonly moduleRef: ModuleRef) {}
  onModuleInit(): void {
    this.patients = this.moduleRef.get(PatientsService, { strict: false });
    this.reports = this.moduleRef.get(ReportsService, { strict: false });
  }
}

/**
 * The swimmer plot's rows: a page of the patient list, each patient as its derived record.
 *
 * The list's read model holds only what is known now. With `recordedBefore`, every
 * patient of the cohort is projected from its stream as recorded before that instant and
 * filtered, sorted and paged here, as the list would have done then: one stream read and
 * one fold per patient, fine for a trial's cohort, slow for a registry (docs/decisions.md).
 */
@Injectable()
export class SwimmerService {
  constructor(private readonly sources: FigureSources) {}

  async page(query: SwimmerQuery): Promise<SwimmerPage> {
    const recordedBefore = parseInstant(query.recordedBefore);
    const limit = query.limit ?? 50;
    const offset = query.offset ?? 0;
    const patients = this.sources.patients;
    if (recordedBefore === null) {
      const { recordedBefore: _r, ...listQuery } = query;
      const list = await patients.list({ ...listQuery, limit, offset });
      const records: PatientRecord[] = [];
      for (const item of list.items) records.push(await patients.record(item.subjectId, list.asOf, null));
      return { asOf: list.asOf, recordedBefore: null, total: list.total, limit, offset, rows: records.map(swimmerRowOf) };
    }
    const asOf = query.asOf ?? patients.today();
    const { items: subjectIds } = await patients.cohortRows({ asOf }, (row) => row.subject_id as string, (summary) => summary.subjectId);
    const known: PatientRecord[] = [];
    for (const subjectId of subjectIds) {
      const record = await recordOrNull(patients, subjectId, asOf, recordedBefore);
      if (record !== null && passes(record, query)) known.push(record);
    }
    known.sort(listOrder(query));
    return { asOf, recordedBefore, total: known.length, limit, offset, rows: known.slice(offset, offset + limit).map(swimmerRowOf) };
  }
}

/** Null for a patient not yet enrolled as known then (the record route's 404). */
async function recordOrNull(patients: PatientsService, subjectId: string, asOf: string, recordedBefore: string): Promise<PatientRecord | null> {
  try {
    return await patients.record(subjectId, asOf, recordedBefore);
  } catch (error) {
    if (error instanceof ProblemError && error.status === 404) return null;
    throw error;
  }
}

function passes(record: PatientRecord, filters: PatientFilterQuery): boolean {
  if (filters.diagnosis !== undefined && record.diagnosis.type !== filters.diagnosis) return false;
  if (filters.riskGroup !== undefined && record.diagnosis.riskGroup !== filters.riskGroup) return false;
  return statusMatches(cohortStatusOf(record), filters);
}

/** The patient list's order: by the sort key, patients without it last in either direction, ties by subject id. */
function listOrder(query: SwimmerQuery): (a: PatientRecord, b: PatientRecord) => number {
  const sort = query.sort ?? 'subjectId';
  const direction = query.order === 'desc' ? -1 : 1;
  const key = (r: PatientRecord): string | null => (sort === 'subjectId' ? r.subjectId : sort === 'enrolledOn' ? r.enrolledOn : r.day0);
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
