import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { QUERY_CODES, type QueryCode } from '../../domain/projection/patient-record';
import { PatientFilterQuery } from '../patients/patient-list.query';

/** Decimal digits only, as the patient list reads its paging. */
const toCount = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value);

/** The cohort's open data queries: by code, by how long they have been open, and by the patient filters. */
export class QueryListQuery extends PatientFilterQuery {
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

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Transform(toCount)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Transform(toCount)
  @IsInt()
  @Min(0)
  offset?: number;
}
