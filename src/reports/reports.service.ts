import { Injectable } from '@nestjs/common';
import { PatientsService } from '../api/patients/patients.service';
import type { PatientFilterQuery } from '../api/patients/patient-list.query';
import type { AeCategory } from '../domain/events/clinical-event';
import type { AePeriod, PrimaryStatus } from '../domain/projection/patient-record';
import type { CompetingCause, CompetingRiskObservation, SurvivalObservation } from '../domain/statistics';
import type { PatientTableRow } from '../projections/cohort-index';
import { parseStoredJson } from '../projections/read-model.errors';
import { AeReportTally, aeReportPatientOf as aeReportPatientOfSummary, type AdverseEventReport, type AeReportPatient } from './adverse-event-report';
import { buildAdtte } from './adtte';
import { QueryCounts, type QueryCountsReport } from './query-counts';
import { codesOf } from '../domain/projection/cohort-status';
import { toCsv, type Dataset } from './csv';
import type { AdtteExportQuery, AeExportQuery, CohortReportQuery, ExportFormat, SurvivalReportQuery } from './report-query.dto';
import { buildAeDataset } from './sdtm-ae';
import { STUDY_ID, type EndpointCode, type Origin } from './study';
import {
  competingObservations,
  cumulativeIncidenceReportOf,
  survivalObservations,
  survivalReportOf,
  type CumulativeIncidenceReport,
  type SurvivalReport,
} from './time-to-event-report';

/** A dataset ready to send: CSV text, or JSON `{ dataset, studyId, asOf, columns, rows }`. */
export type ExportFile =
  | { readonly format: 'csv'; readonly filename: string; readonly body: string }
  | { readonly format: 'json'; readonly filename: string; readonly body: DatasetJson };

export interface DatasetJson {
  readonly dataset: 'ADTTE' | 'AE';
  readonly studyId: string;
  readonly asOf: string;
  readonly origin?: Origin;
  readonly columns: readonly string[];
  readonly rows: readonly object[];
}

/** Cohort reports over the filtered read model, as of a clinical date; the arithmetic is in the pure builders. */
@Injectable()
export class ReportsService {
  constructor(private readonly patients: PatientsService) {}

  /** Reads two plain columns per patient: a registry-sized cohort in one pass, no JSON. */
  /** Reads two plain columns per patient: a registry-sized cohort in one pass, no JSON. Open data queries are counted beside it. */
  async survival(query: SurvivalReportQuery): Promise<SurvivalReport & { queries: QueryCountsReport }> {
    const origin = query.origin ?? 'TRANSPLANT';
    const [eventColumn, daysColumn] = TIME_TO_EVENT_COLUMNS[origin][query.endpoint];
    const queries = new QueryCounts();
    const { asOf, items } = await this.patients.cohortRows<SurvivalObservation>(
      filtersOf(query),
      (row, status) => {
        queries.add(status.queryCodes);
        return row[eventColumn] === null ? null : { time: row[daysColumn] as number, event: row[eventColumn] === 1 };
      },
      (summary) => {
        queries.add(codesOf(summary.queries));
        return survivalObservations([summary], query.endpoint, origin)[0] ?? null;
      },
    );
    return { ...survivalReportOf(items, query.endpoint, origin, asOf), queries: queries.report() };
  }

  async cumulativeIncidence(query: CohortReportQuery): Promise<CumulativeIncidenceReport & { queries: QueryCountsReport }> {
    const origin = query.origin ?? 'TRANSPLANT';
    const [causeColumn, daysColumn] = COMPETING_COLUMNS[origin];
    const queries = new QueryCounts();
    const { asOf, items } = await this.patients.cohortRows<CompetingRiskObservation>(
      filtersOf(query),
      (row, status) => {
        queries.add(status.queryCodes);
        return row[causeColumn] === null ? null : { time: row[daysColumn] as number, cause: row[causeColumn] as CompetingCause };
      },
      (summary) => {
        queries.add(codesOf(summary.queries));
        return competingObservations([summary], origin)[0] ?? null;
      },
    );
    return { ...cumulativeIncidenceReportOf(items, origin, asOf), queries: queries.report() };
  }

  /** Feeds each patient to the tally as it is read; none is kept (a registry's worth would fill the heap). */
  async adverseEvents(query: PatientFilterQuery): Promise<AdverseEventReport & { queries: QueryCountsReport }> {
    const tally = new AeReportTally();
    const queries = new QueryCounts();
    const { asOf } = await this.patients.cohortRows<never>(
      filtersOf(query),
      (row, status, date) => {
        tally.add(aeReportPatientOfRow(row, status.primaryStatus, date));
        queries.add(status.queryCodes);
        return null;
      },
      (summary) => {
        tally.add(aeReportPatientOfSummary(summary));
        queries.add(codesOf(summary.queries));
        return null;
      },
    );
    return { ...tally.report(asOf), queries: queries.report() };
  }

  async adtte(query: AdtteExportQuery): Promise<ExportFile> {
    const origin = query.origin ?? 'TRANSPLANT';
    const { asOf, patients: records } = await this.patients.cohort(filtersOf(query));
    const filename = `adtte-${STUDY_ID}-${origin.toLowerCase()}-${asOf}`;
    return exportFile(buildAdtte(records, origin), query.format ?? 'csv', filename, { dataset: 'ADTTE', studyId: STUDY_ID, asOf, origin });
  }

  async ae(query: AeExportQuery): Promise<ExportFile> {
    const { asOf, patients: records } = await this.patients.cohort(filtersOf(query), { withAdverseEvents: true });
    return exportFile(buildAeDataset(records), query.format ?? 'csv', `ae-${STUDY_ID}-${asOf}`, { dataset: 'AE', studyId: STUDY_ID, asOf });
  }
}

const TIME_TO_EVENT_COLUMNS: Record<Origin, Record<EndpointCode, [event: string, days: string]>> = {
  TRANSPLANT: { OS: ['tx_os_event', 'tx_os_days'], PFS: ['tx_pfs_event', 'tx_pfs_days'], GRFS: ['tx_grfs_event', 'tx_grfs_days'] },
  ENROLLMENT: { OS: ['en_os_event', 'en_os_days'], PFS: ['en_pfs_event', 'en_pfs_days'], GRFS: ['en_grfs_event', 'en_grfs_days'] },
};
const COMPETING_COLUMNS: Record<Origin, [cause: string, days: string]> = {
  TRANSPLANT: ['tx_cif_cause', 'tx_cif_days'],
  ENROLLMENT: ['en_cif_cause', 'en_cif_days'],
};

type AeTuple = [period: AePeriod, category: AeCategory, worstGrade: number, related: 0 | 1, serious: 0 | 1, worstGradeByDay100: number | null];

/** Parsed AE tuples by row: a changed patient gets a new row object, so an entry never goes stale. */
const parsedAes = new WeakMap<object, AeReportPatient['adverseEvents']>();

function adverseEventsOf(row: PatientTableRow): AeReportPatient['adverseEvents'] {
  let adverseEvents = parsedAes.get(row);
  if (adverseEvents === undefined) {
    adverseEvents = parseStoredJson<AeTuple[]>(row.ae_tuples, row.subject_id, 'patient.ae_tuples').map(([phaseAtOnset, category, worstCtcaeGrade, related, serious, byDay100]) => ({
      phaseAtOnset, category, worstCtcaeGrade, treatmentRelated: related === 1, serious: serious === 1, ...(byDay100 === null ? {} : { worstCtcaeGradeByDay100: byDay100 }),
    }));
    parsedAes.set(row, adverseEvents);
  }
  return adverseEvents;
}

/**
 * A patient for the AE tables from its row: the AE tuples, and the primary endpoint's
 * categories as the fold counted them (EVENT and INCOMPLETE are final, so the row's hold).
 */
function aeReportPatientOfRow(row: PatientTableRow, primaryStatus: PrimaryStatus, asOf: string): AeReportPatient {
  return {
    asOf,
    day0: row.day0 as string | null,
    conditioningOn: row.conditioning_on as string | null,
    offStudy: row.off_study_on === null ? null : { date: row.off_study_on as string },
    primaryEndpoint: {
      status: primaryStatus,
      ...(row.primary_reason === null ? {} : { reason: row.primary_reason as string }),
      byCategory: primaryStatus === 'EVENT' ? primaryCategoriesOf(row) : NO_CATEGORIES,
    },
    adverseEvents: adverseEventsOf(row),
  };
}

const NO_CATEGORIES: AeReportPatient['primaryEndpoint']['byCategory'] = Object.freeze([]);
const parsedCategories = new WeakMap<object, AeReportPatient['primaryEndpoint']['byCategory']>();

function primaryCategoriesOf(row: PatientTableRow): AeReportPatient['primaryEndpoint']['byCategory'] {
  let categories = parsedCategories.get(row);
  if (categories === undefined) {
    categories = parseStoredJson<[AeCategory, number][]>(row.primary_categories, row.subject_id, 'patient.primary_categories').map(([category, worstGrade]) => ({ category, worstGrade }));
    parsedCategories.set(row, categories);
  }
  return categories;
}

/** Only the patient filters go to the cohort query (not origin, endpoint or format). */
function filtersOf(query: PatientFilterQuery): PatientFilterQuery {
  const { asOf, phase, primaryEndpoint, windowStatus, diagnosis, riskGroup, relapsed, hasDeviations, hasQueries } = query;
  return { asOf, phase, primaryEndpoint, windowStatus, diagnosis, riskGroup, relapsed, hasDeviations, hasQueries };
}

function exportFile<C extends string>(dataset: Dataset<C>, format: ExportFormat, basename: string, meta: Omit<DatasetJson, 'columns' | 'rows'>): ExportFile {
  return format === 'csv'
    ? { format, filename: `${basename}.csv`, body: toCsv(dataset) }
    : { format, filename: `${basename}.json`, body: { ...meta, columns: dataset.columns, rows: dataset.rows } };
}
