import { queryCountsOf, type QueryCountsReport } from '../reports/query-counts';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { parseInstant } from '../api/common/request-params';
import type { PatientFilterQuery } from '../api/patients/patient-list.query';
import { patientListOrder, PatientsService, statusMatches } from '../api/patients/patients.service';
import { ProblemError } from '../common/problem/problem';
import { cohortStatusOf } from '../domain/projection/cohort-status';
import type { PatientRecord } from '../domain/projection/patient-record';
import { adverseEventReport, type AdverseEventReport } from '../reports/adverse-event-report';
import type { CohortReportQuery, SurvivalReportQuery } from '../reports/report-query.dto';
import { ReportsService } from '../reports/reports.service';
import { cumulativeIncidenceReport, survivalReport, type CumulativeIncidenceReport, type SurvivalReport } from '../reports/time-to-event-report';
import { swimmerRowOf, type SwimmerPage } from './figures/swimmer';
import type { SwimmerQuery } from './figure-query.dto';

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
 * The pictures' data. The swimmer plot's rows are a page of the patient list, each
 * patient as its derived record.
 *
 * The list's and the reports' read model holds only what is known now. With
 * `recordedBefore`, every patient of the cohort is projected from its stream as recorded
 * before that instant and filtered (and, for the swimmer plot, sorted and paged) here, as
 * the list would have done then; the reports are then built by the same pure builders
 * the report routes use. One stream read and one fold per patient: fine for a trial's
 * cohort, slow for a registry (docs/decisions.md).
 */
@Injectable()
export class FiguresService {
  constructor(private readonly sources: FigureSources) {}

  async swimmerPage(query: SwimmerQuery): Promise<SwimmerPage> {
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
    const { asOf, records } = await this.cohortAsRecorded(query, recordedBefore);
    records.sort(patientListOrder(query));
    return { asOf, recordedBefore, total: records.length, limit, offset, rows: records.slice(offset, offset + limit).map(swimmerRowOf) };
  }

  async survivalAsRecorded(query: SurvivalReportQuery & { recordedBefore: string }): Promise<SurvivalReport & { queries: QueryCountsReport; recordedBefore: string }> {
    const { asOf, records, recordedBefore } = await this.cohortAsRecorded(query, requiredInstant(query.recordedBefore));
    return { ...survivalReport(records, query.endpoint, query.origin ?? 'TRANSPLANT', asOf), queries: queryCountsOf(records), recordedBefore };
  }

  async cumulativeIncidenceAsRecorded(query: CohortReportQuery & { recordedBefore: string }): Promise<CumulativeIncidenceReport & { queries: QueryCountsReport; recordedBefore: string }> {
    const { asOf, records, recordedBefore } = await this.cohortAsRecorded(query, requiredInstant(query.recordedBefore));
    return { ...cumulativeIncidenceReport(records, query.origin ?? 'TRANSPLANT', asOf), queries: queryCountsOf(records), recordedBefore };
  }

  async adverseEventsAsRecorded(query: PatientFilterQuery & { recordedBefore: string }): Promise<AdverseEventReport & { queries: QueryCountsReport; recordedBefore: string }> {
    const { asOf, records, recordedBefore } = await this.cohortAsRecorded(query, requiredInstant(query.recordedBefore));
    return { ...adverseEventReport(records, asOf), queries: queryCountsOf(records), recordedBefore };
  }

  /** Every patient enrolled by the as-of date, as recorded before the instant, that passes the filters, in the list's row order. */
  private async cohortAsRecorded(filters: PatientFilterQuery, recordedBefore: string): Promise<{ asOf: string; recordedBefore: string; records: PatientRecord[] }> {
    const patients = this.sources.patients;
    const asOf = filters.asOf ?? patients.today();
    const { items: subjectIds } = await patients.cohortRows({ asOf }, (row) => row.subject_id as string, (summary) => summary.subjectId);
    const records: PatientRecord[] = [];
    for (const subjectId of subjectIds) {
      const record = await recordOrNull(patients, subjectId, asOf, recordedBefore);
      if (record !== null && passes(record, filters)) records.push(record);
    }
    return { asOf, recordedBefore, records };
  }
}

/** The as-recorded routes need the instant; its format is checked as everywhere else. */
function requiredInstant(value: string | undefined): string {
  const instant = parseInstant(value);
  if (instant === null) {
    throw new ProblemError(400, 'VALIDATION_FAILED', 'recordedBefore is required on this route.', [
      { path: 'recordedBefore', code: 'REQUIRED', message: 'an ISO 8601 instant with a zone, e.g. 2026-03-14T09:30:00Z' },
    ]);
  }
  return instant;
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

