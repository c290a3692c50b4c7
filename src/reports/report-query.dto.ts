import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PatientFilterQuery } from '../api/patients/patient-list.query';
import { ENDPOINT_CODES, ORIGINS, type EndpointCode, type Origin } from './study';

export const EXPORT_FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The patient filters and the as-of date of the patient list, plus the analysis origin. */
export class CohortReportQuery extends PatientFilterQuery {
  @ApiPropertyOptional({ enum: ORIGINS, default: 'TRANSPLANT', description: 'Time zero: Day 0 (only transplanted patients) or enrollment (every patient)' })
  @IsOptional()
  @IsIn(ORIGINS)
  origin?: Origin;
}

export class SurvivalReportQuery extends CohortReportQuery {
  @ApiProperty({ enum: ENDPOINT_CODES, description: 'OS, PFS or GRFS (Holtan 2015)' })
  @IsIn(ENDPOINT_CODES)
  endpoint!: EndpointCode;
}

export class AdtteExportQuery extends CohortReportQuery {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'csv' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format?: ExportFormat;
}

/** The AE dataset has no origin: each row carries its date and its day relative to Day 0. */
export class AeExportQuery extends PatientFilterQuery {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'csv' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format?: ExportFormat;
}
