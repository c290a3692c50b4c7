import { Controller, Get, Param, Query, Res, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiJson, ApiKeyProblems, ApiProblems } from '../../common/openapi/api-responses';
import { Roles } from '../../common/auth/roles.guard';
import { parseAsOf, parseInstant, parseSubjectId } from '../common/request-params';
import { PatientListQuery } from './patient-list.query';
import { PatientsService } from './patients.service';
import { ApiReadModel, ReadModelInterceptor } from './read-model-consistency';
import { sendView } from './record.cache';

const IF_NONE_MATCH = 'The ETag of a copy the client holds: 304 with no body while it is still the answer';
const NOT_MODIFIED = 'The copy named by If-None-Match is still the answer';

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
  @ApiHeader({ name: 'If-None-Match', required: false, description: IF_NONE_MATCH })
  @ApiResponse({ status: 304, description: NOT_MODIFIED })
  async record(
    @Param('subjectId') subjectId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Query('asOf') asOf?: string,
    @Query('recordedBefore') recordedBefore?: string,
  ) {
    const view = await this.patients.recordView('record', parseSubjectId(subjectId), parseAsOf(asOf), parseInstant(recordedBefore));
    return sendView(reply, view, ifNoneMatchOf(reply));
  }

  @Get(':subjectId/timeline')
  @Roles('reporter', 'auditor')
  @ApiOperation({ summary: 'Effective events in clinical order, each with its day relative to Day 0 and the phase on that date' })
  @ApiQuery({ name: 'asOf', required: false })
  @ApiQuery({ name: 'recordedBefore', required: false })
  @ApiJson(200, 'PatientTimeline', 'The effective events in clinical order')
  @ApiProblems(400, 404, 414)
  @ApiHeader({ name: 'If-None-Match', required: false, description: IF_NONE_MATCH })
  @ApiResponse({ status: 304, description: NOT_MODIFIED })
  async timeline(
    @Param('subjectId') subjectId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Query('asOf') asOf?: string,
    @Query('recordedBefore') recordedBefore?: string,
  ) {
    const view = await this.patients.recordView('timeline', parseSubjectId(subjectId), parseAsOf(asOf), parseInstant(recordedBefore));
    return sendView(reply, view, ifNoneMatchOf(reply));
  }
}

/** Read off the request rather than as a handler parameter, which OpenAPI would list as a required header. */
function ifNoneMatchOf(reply: FastifyReply): string | undefined {
  const value = reply.request.headers['if-none-match'];
  return Array.isArray(value) ? value.join(',') : value;
}
