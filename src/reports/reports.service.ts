import { Injectable } from '@nestjs/common';
import { PatientsService } from '../api/patients/patients.service';
import type { PatientFilterQuery } from '../api/patients/patient-list.query';
import { adverseEventReport, type AdverseEventReport } from './adverse-event-report';
import { buildAdtte } from './adtte';
import { toCsv, type Dataset } from './csv';
import type { AdtteExportQuery, AeExportQuery, CohortReportQuery, ExportFormat, SurvivalReportQuery } from './report-query.dto';
import { buildAeDataset } from './sdtm-ae';
import { STUDY_ID, type Origin } from './study';
import { cumulativeIncidenceReport, survivalReport, type CumulativeIncidenceReport, type SurvivalReport } from './time-to-event-report';

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

  survival(query: SurvivalReportQuery): SurvivalReport {
    const { asOf, records } = this.patients.cohort(filtersOf(query));
    return survivalReport(records, query.endpoint, query.origin ?? 'TRANSPLANT', asOf);
  }

  cumulativeIncidence(query: CohortReportQuery): CumulativeIncidenceReport {
    const { asOf, records } = this.patients.cohort(filtersOf(query));
    return cumulativeIncidenceReport(records, query.origin ?? 'TRANSPLANT', asOf);
  }

  adverseEvents(query: PatientFilterQuery): AdverseEventReport {
    const { asOf, records } = this.patients.cohort(filtersOf(query));
    return adverseEventReport(records, asOf);
  }

  adtte(query: AdtteExportQuery): ExportFile {
    const origin = query.origin ?? 'TRANSPLANT';
    const { asOf, records } = this.patients.cohort(filtersOf(query));
    const filename = `adtte-${STUDY_ID}-${origin.toLowerCase()}-${asOf}`;
    return exportFile(buildAdtte(records, origin), query.format ?? 'csv', filename, { dataset: 'ADTTE', studyId: STUDY_ID, asOf, origin });
  }

  ae(query: AeExportQuery): ExportFile {
    const { asOf, records } = this.patients.cohort(filtersOf(query));
    return exportFile(buildAeDataset(records), query.format ?? 'csv', `ae-${STUDY_ID}-${asOf}`, { dataset: 'AE', studyId: STUDY_ID, asOf });
  }
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
