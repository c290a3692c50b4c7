import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { PatientFilterQuery, PatientListQuery } from '../api/patients/patient-list.query';
import { CohortReportQuery, SurvivalReportQuery } from '../reports/report-query.dto';
import { SWIMMER_AXES, type SwimmerAxis } from './figures/swimmer';

/** The patient list's filters, sort and page, and a recording time. */
export class SwimmerQuery extends PatientListQuery {
  @ApiPropertyOptional({
    description:
      'ISO instant: draw each patient as recorded before then. The read model holds only what is known now, so with this the cohort is projected patient by patient from the streams (filters and sort then apply to what was known then).',
  })
  @IsOptional()
  @IsString()
  recordedBefore?: string;
}

export class SwimmerFigureQuery extends SwimmerQuery {
  @ApiPropertyOptional({ enum: SWIMMER_AXES, default: 'DAY0', description: "Day 0 aligned, days from each patient's enrollment, or calendar dates" })
  @IsOptional()
  @IsIn(SWIMMER_AXES)
  axis?: SwimmerAxis;
}

const AS_RECORDED = 'ISO instant (required): the report as the cohort was recorded before then, every patient projected from its stream';

/** The survival report's parameters and a recording time. */
export class AsRecordedSurvivalQuery extends SurvivalReportQuery {
  @ApiProperty({ description: AS_RECORDED })
  @IsString()
  recordedBefore!: string;
}

export class AsRecordedCohortQuery extends CohortReportQuery {
  @ApiProperty({ description: AS_RECORDED })
  @IsString()
  recordedBefore!: string;
}

export class AsRecordedFilterQuery extends PatientFilterQuery {
  @ApiProperty({ description: AS_RECORDED })
  @IsString()
  recordedBefore!: string;
}
