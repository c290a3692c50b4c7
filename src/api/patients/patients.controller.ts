import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../../common/auth/roles.guard';
import { parseAsOf, parseInstant, parseSubjectId } from '../common/request-params';
import { PatientListQuery } from './patient-list.query';
import { PatientsService } from './patients.service';
import { sendView } from './record.cache';

const IF_NONE_MATCH = 'The ETag of a copy the client holds: 304 with no body while it is still the answer';
const NOT_MODIFIED = 'The copy named by If-None-Match is still the answer';

@ApiTags('patients')
@ApiBearerAuth()
@Controller('v1/patients')
export class PatientsController {
  constructor(private readonly patients: PatientsService) {}

  @Get()
  @Roles('reporter')
  @ApiOperation({ summary: 'Derived patient records, filtered, sorted and paginated' })
  list(@Query() query: PatientListQuery) {
    return this.patients.list(query);
  }

  @Get(':subjectId')
  @Roles('reporter', 'auditor')
  @ApiOperation({ summary: 'The derived patient record as of a clinical date, as known at a recording time' })
  @ApiQuery({ name: 'asOf', required: false, description: 'Clinical "today" YYYY-MM-DD (default: the current UTC date)' })
  @ApiQuery({ name: 'recordedBefore', required: false, description: 'ISO instant: only what had been recorded before then' })
  @ApiHeader({ name: 'If-None-Match', required: false, description: IF_NONE_MATCH })
  @ApiResponse({ status: 304, description: NOT_MODIFIED })
  async record(
    @Param('subjectId') subjectId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Query('asOf') asOf?: string,
    @Query('recordedBefore') recordedBefore?: string,
    @Headers('if-none-match') ifNoneMatch?: string,
  ) {
    const view = await this.patients.recordView('record', parseSubjectId(subjectId), parseAsOf(asOf), parseInstant(recordedBefore));
    return sendView(reply, view, ifNoneMatch);
  }

  @Get(':subjectId/timeline')
  @Roles('reporter', 'auditor')
  @ApiOperation({ summary: 'Effective events in clinical order, each with its day relative to Day 0 and the phase on that date' })
  @ApiQuery({ name: 'asOf', required: false })
  @ApiQuery({ name: 'recordedBefore', required: false })
  @ApiHeader({ name: 'If-None-Match', required: false, description: IF_NONE_MATCH })
  @ApiResponse({ status: 304, description: NOT_MODIFIED })
  async timeline(
    @Param('subjectId') subjectId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Query('asOf') asOf?: string,
    @Query('recordedBefore') recordedBefore?: string,
    @Headers('if-none-match') ifNoneMatch?: string,
  ) {
    const view = await this.patients.recordView('timeline', parseSubjectId(subjectId), parseAsOf(asOf), parseInstant(recordedBefore));
    return sendView(reply, view, ifNoneMatch);
  }
}
