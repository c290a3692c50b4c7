import { Controller, Get, Param, Query, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiJson, ApiKeyProblems, ApiProblems } from '../../common/openapi/api-responses';
import { Roles } from '../../common/auth/roles.guard';
import { parseAsOf, parseInstant, parseSubjectId } from '../common/request-params';
import { PatientListQuery } from './patient-list.query';
import { PatientsService } from './patients.service';
import { ApiReadModel, ReadModelInterceptor } from './read-model-consistency';

@ApiTags('patients')
@ApiBearerAuth()
@ApiKeyProblems()
@Controller('v1/patients')
export class PatientsController {
  constructor(private readonly patients: PatientsService) {}

  @Get()
  @Roles('reporter')
  @UseInterceptors(ReadModelInterceptor)
  @ApiOperation({ summary: 'Derived patient records, filtered, sorted and paginated' })
  @ApiReadModel('PatientList', 'One page of patient summaries (records without timeline and AE lists)')
  @ApiProblems(400)
  list(@Query() query: PatientListQuery) {
    return this.patients.list(query);
  }

  @Get(':subjectId')
  @Roles('reporter', 'auditor')
  @ApiOperation({ summary: 'The derived patient record as of a clinical date, as known at a recording time' })
  @ApiQuery({ name: 'asOf', required: false, description: 'Clinical "today" YYYY-MM-DD (default: the current UTC date)' })
  @ApiQuery({ name: 'recordedBefore', required: false, description: 'ISO instant: only what had been recorded before then' })
  @ApiJson(200, 'PatientRecord', 'The derived record')
  @ApiProblems(400, 404, 414)
  record(@Param('subjectId') subjectId: string, @Query('asOf') asOf?: string, @Query('recordedBefore') recordedBefore?: string) {
    return this.patients.record(parseSubjectId(subjectId), parseAsOf(asOf), parseInstant(recordedBefore));
  }

  @Get(':subjectId/timeline')
  @Roles('reporter', 'auditor')
  @ApiOperation({ summary: 'Effective events in clinical order, each with its day relative to Day 0 and the phase on that date' })
  @ApiQuery({ name: 'asOf', required: false })
  @ApiQuery({ name: 'recordedBefore', required: false })
  @ApiJson(200, 'PatientTimeline', 'The effective events in clinical order')
  @ApiProblems(400, 404, 414)
  async timeline(@Param('subjectId') subjectId: string, @Query('asOf') asOf?: string, @Query('recordedBefore') recordedBefore?: string) {
    const record = await this.patients.record(parseSubjectId(subjectId), parseAsOf(asOf), parseInstant(recordedBefore));
    return { subjectId: record.subjectId, asOf: record.asOf, day0: record.day0, revision: record.revision, events: record.timeline };
  }
}
