import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, Max, Min, Validate } from 'class-validator';
import { DIAGNOSIS_TYPES, RISK_GROUPS } from '../../domain/events/clinical-event';
import { PHASES, PRIMARY_STATUSES, WINDOW_STATUSES } from '../../domain/projection/patient-record';
import { IsClinicalDateString } from '../common/clinical-date.validator';
import { CONSISTENCY_VALUES } from './read-model-consistency';

export const SORT_KEYS = ['subjectId', 'enrolledOn', 'day0'] as const;

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);
/** Decimal digits only: Number() would also read "0x10" as 16, "1e1" as 10 and " 5" as 5. */
export const toCount = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value);

/** The patient filters, shared by the patient list and every cohort report. */
export class PatientFilterQuery {
  @ApiPropertyOptional({ description: 'Clinical "today" (YYYY-MM-DD); the current UTC date when absent' })
  @IsOptional()
  @Validate(IsClinicalDateString)
  asOf?: string;

  @ApiPropertyOptional({ enum: PHASES })
  @IsOptional()
  @IsIn(PHASES)
  phase?: (typeof PHASES)[number];

  @ApiPropertyOptional({ enum: PRIMARY_STATUSES, description: 'Primary endpoint status' })
  @IsOptional()
  @IsIn(PRIMARY_STATUSES)
  primaryEndpoint?: (typeof PRIMARY_STATUSES)[number];

  @ApiPropertyOptional({ enum: WINDOW_STATUSES, description: 'Day-100 window status' })
  @IsOptional()
  @IsIn(WINDOW_STATUSES)
  windowStatus?: (typeof WINDOW_STATUSES)[number];

  @ApiPropertyOptional({ enum: DIAGNOSIS_TYPES })
  @IsOptional()
  @IsIn(DIAGNOSIS_TYPES)
  diagnosis?: (typeof DIAGNOSIS_TYPES)[number];

  @ApiPropertyOptional({ enum: RISK_GROUPS })
  @IsOptional()
  @IsIn(RISK_GROUPS)
  riskGroup?: (typeof RISK_GROUPS)[number];

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  relapsed?: boolean;

  @ApiPropertyOptional({ type: Boolean, description: 'Patients with at least one protocol deviation' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  hasDeviations?: boolean;

  @ApiPropertyOptional({ type: Boolean, description: 'Patients with at least one open data query as of the date' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  hasQueries?: boolean;

  @ApiPropertyOptional({
    enum: CONSISTENCY_VALUES,
    description:
      'Answers come from the read model, which follows the event log; `readModel` in the body and the X-Read-Model header say whether it had caught up. ' +
      '`wait`: wait (up to READ_MODEL_WAIT_MS, 5 s by default) until it holds everything stored before the request, else 503 READ_MODEL_BEHIND with Retry-After.',
  })
  @IsOptional()
  @IsIn(CONSISTENCY_VALUES)
  consistency?: (typeof CONSISTENCY_VALUES)[number];
}

/** The patient filters with a page of the answer (lists of patients, lists of queries). */
export class PagedPatientFilterQuery extends PatientFilterQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
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

export class PatientListQuery extends PagedPatientFilterQuery {
  @ApiPropertyOptional({ enum: SORT_KEYS, default: 'subjectId' })
  @IsOptional()
  @IsIn(SORT_KEYS)
  sort?: (typeof SORT_KEYS)[number];

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'asc' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';
}
