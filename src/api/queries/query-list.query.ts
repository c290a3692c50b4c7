import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Min } from 'class-validator';
import { QUERY_CODES, type QueryCode } from '../../domain/projection/patient-record';
import { PagedPatientFilterQuery, toCount } from '../patients/patient-list.query';

/** The cohort's open data queries: by code, by how long they have been open, and by the patient filters. */
export class QueryListQuery extends PagedPatientFilterQuery {
  @ApiPropertyOptional({ enum: QUERY_CODES })
  @IsOptional()
  @IsIn(QUERY_CODES)
  code?: QueryCode;

  @ApiPropertyOptional({ minimum: 0, description: 'Only queries open for at least this many days as of the date (raised on or before asOf minus this)' })
  @IsOptional()
  @Transform(toCount)
  @IsInt()
  @Min(0)
  minAgeDays?: number;
}
