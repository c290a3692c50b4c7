import { Injectable } from '@nestjs/common';
import { PatientsService } from '../api/patients/patients.service';
import type { PatientFilterQuery } from '../api/patients/patient-list.query';
import type { AeCategory } from '../domain/events/clinical-event';
import type { AePeriod, PrimaryStatus } from '../domain/projection/patient-record';
import type { CompetingCause, CompetingRiskObservation, SurvivalObservation } from '../domain/statistics';
import type { PatientTableRow } from '../projections/cohort-index';
import { parseStoredJson } from '../projections/read-model.errors';
import { AeReportTally, type AdverseEventReport, type AeReportPatient } from './adverse-event-report';
import { buildAdtte } from './adtte';
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
  async survival(query: SurvivalReportQuery): Promise<SurvivalReport> {
    const origin = query.origin ?? 'TRANSPLANT';
    const [eventColumn, daysColumn] = TIME_TO_EVENT_COLUMNS[origin][query.endpoint];
    const { asOf, items } = await this.patients.cohortRows<SurvivalObservation>(
      filtersOf(query),
      (row) => (row[eventColumn] === null ? null : { time: row[daysColumn] as number, event: row[eventColumn] === 1 }),
      (summary) => survivalObservations([summary], query.endpoint, origin)[0] ?? null,
    );
    return survivalReportOf(items, query.endpoint, origin, asOf);
  }

  async cumulativeIncidence(query: CohortReportQuery): Promise<CumulativeIncidenceReport> {
    const origin = query.origin ?? 'TRANSPLANT';
    const [causeColumn, daysColumn] = COMPETING_COLUMNS[origin];
    const { asOf, items } = await this.patients.cohortRows<CompetingRiskObservation>(
      filtersOf(query),
      (row) => (row[causeColumn] === null ? null : { time: row[daysColumn] as number, cause: row[causeColumn] as CompetingCause }),
      (summary) => competingObservations([summary], origin)[0] ?? null,
    );
    return cumulativeIncidenceReportOf(items, origin, asOf);
  }

  /** Feeds each patient to the tally as it is read; none is kept (a registry's worth would fill the heap). */
  async adverseEvents(query: PatientFilterQuery): Promise<AdverseEventReport> {
    const tally = new AeReportTally();
    const { asOf } = await this.patients.cohortRows<never>(
      filtersOf(query),
      (row, status, date) => {
        tally.add(aeReportPatientOf(row, status.primaryStatus, date));
        return null;
      },
      (summary) => {
        tally.add(summary);
        return null;
      },
    );
    return tally.report(asOf);
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

/** A patient for the AE tables from its row: the AE tuples, and the primary endpoint's categories derived from them. */
function aeReportPatientOf(row: PatientTableRow, primaryStatus: PrimaryStatus, asOf: string): AeReportPatient {
  const adverseEvents = adverseEventsOf(row);
  return {
    asOf,
    day0: row.day0 as string | null,
    offStudy: row.off_study_on === null ? null : { date: row.off_study_on as string },
    primaryEndpoint: { status: primaryStatus, byCategory: primaryStatus === 'EVENT' ? primaryCategoriesOf(adverseEvents) : NO_CATEGORIES },
    adverseEvents,
  };
}

const NO_CATEGORIES: AeReportPatient['primaryEndpoint']['byCategory'] = Object.freeze([]);

/** Worst grade per category of the treatment-related AEs of the window: what makes the primary endpoint an EVENT. */
function primaryCategoriesOf(adverseEvents: AeReportPatient['adverseEvents']): AeReportPatient['primaryEndpoint']['byCategory'] {
  const worst = new Map<AeCategory, number>();
  for (const ae of adverseEvents) {
    // The grade reached by Day +100, as the projection's primary endpoint counts it.
    if (ae.phaseAtOnset === 'DAY100_WINDOW' && ae.treatmentRelated) worst.set(ae.category, Math.max(worst.get(ae.category) ?? 0, ae.worstCtcaeGradeByDay100 ?? ae.worstCtcaeGrade));
  }
  return [...worst].map(([category, worstGrade]) => ({ category, worstGrade }));
}

/** Only the patient filters go to the cohort query (not origin, endpoint or format). */
function filtersOf(query: PatientFilterQuery): PatientFilterQuery {
  const { asOf, phase, primaryEndpoint, windowStatus, diagnosis, riskGroup, relapsed, hasDeviations } = query;
  return { asOf, phase, primaryEndpoint, windowStatus, diagnosis, riskGroup, relapsed, hasDeviations };
}

function exportFile<C extends string>(dataset: Dataset<C>, format: ExportFormat, basename: string, meta: Omit<DatasetJson, 'columns' | 'rows'>): ExportFile {
  return format === 'csv'
    ? { format, filename: `${basename}.csv`, body: toCsv(dataset) }
    : { format, filename: `${basename}.json`, body: { ...meta, columns: dataset.columns, rows: dataset.rows } };
}
