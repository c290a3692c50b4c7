import { Body, Controller, Get, Headers, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiExtraModels, ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiJson, ApiKeyProblems, ApiProblems } from '../../common/openapi/api-responses';
import type { FastifyReply } from 'fastify';
import { Roles, type AuthenticatedRequest } from '../../common/auth/roles.guard';
import { parseIfMatch, parseInstant, parseSubjectId } from '../common/request-params';
import { EVENT_SCHEMA_MODELS, eventBodyExamples, eventBodySchema } from './event-openapi';
import { PatientEventsService } from './patient-events.service';

@ApiTags('events')
@ApiBearerAuth()
@ApiKeyProblems()
@ApiExtraModels(...EVENT_SCHEMA_MODELS)
@Controller('v1/patients/:subjectId/events')
export class PatientEventsController {
  constructor(private readonly events: PatientEventsService) {}

  @Post()
  @Roles('emitter')
  @ApiOperation({ summary: 'Append one event, or an array of events atomically, to a patient stream' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The stream revision the writer last saw; a mismatch is 409, except for an exact repeat of a stored request (200, the original result).' })
  @ApiBody({ schema: eventBodySchema(), examples: eventBodyExamples() })
  @ApiJson(201, 'AppendResult', 'Stored: each event with its revision, global position and recording time, and the protocol deviations the append raised')
  @ApiJson(200, 'AppendResult', 'An exact repeat, whatever If-Match says: the original result, deviations included; nothing stored twice')
  @ApiProblems(400, 409, 413, 414, 415, 422)
  async append(
    @Param('subjectId') subjectId: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const outcome = await this.events.append(parseSubjectId(subjectId), body, parseIfMatch(ifMatch), request.caller!);
    void reply.status(outcome.status);
    return outcome.body;
  }

  @Get()
  @Roles('auditor')
  @ApiOperation({
    summary: 'Every stored event of a patient with its envelope, corrections and voids included',
    description:
      'Each event carries `chainDigest`, a SHA-256 chain over the stream as stored; `headDigest` is the last one shown. ' +
      'Keep a head digest in the audit record: a later read gives the same digest for that event only if nothing up to it has changed.',
  })
  @ApiQuery({ name: 'recordedBefore', required: false, description: 'ISO instant: only what was recorded before then' })
  @ApiJson(200, 'AuditTrail', 'Every stored event, in stream order, with its chain digest')
  @ApiProblems(400, 404, 414)
  async list(@Param('subjectId') subjectId: string, @Query('recordedBefore') recordedBefore?: string) {
    const events = await this.events.readEvents(parseSubjectId(subjectId), parseInstant(recordedBefore));
    return { subjectId, events, headDigest: events[events.length - 1]?.chainDigest ?? null };
  }
}
