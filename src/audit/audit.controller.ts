import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles, type AuthenticatedRequest } from '../common/auth/roles.guard';
import { ApiJson, ApiKeyProblems, ApiProblems } from '../common/openapi/api-responses';
import { ProblemError } from '../common/problem/problem';
import { parseSubjectId } from '../api/common/request-params';
import type { Seal } from '../event-store/log-seal';
import { AuditService } from './audit.service';
import { FeedQuery, SealListQuery, SubjectListQuery, TrailQuery, VerifyBody, VerifyQuery } from './audit.dto';
import { FeedWriter } from './feed.writer';

@ApiTags('audit')
@ApiBearerAuth()
@ApiKeyProblems()
@Controller()
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly feed: FeedWriter,
  ) {}

  @Get('v1/audit/seals')
  @Roles('auditor')
  @ApiOperation({ summary: 'The seals of the global log, in sequence order: keep them outside the service to verify against later' })
  @ApiJson(200, 'SealList', 'One page of seals; `next` is the sequence to continue from')
  @ApiProblems(400)
  seals(@Query() query: SealListQuery) {
    return this.audit.seals(query.fromSequence, query.limit);
  }

  @Get('v1/audit/verify')
  @Roles('auditor')
  @ApiOperation({ summary: 'Verify every stream chain, the log order and the seal chain; optionally against a kept seal given by count and merkleRoot' })
  @ApiJson(200, 'VerificationReport', 'What was checked and every break found (`ok` false when there is one): a broken log is a finding, not an error')
  @ApiProblems(400)
  verify(@Query() query: VerifyQuery) {
    if ((query.count === undefined) !== (query.merkleRoot === undefined)) {
      throw new ProblemError(400, 'VALIDATION_FAILED', 'A kept seal is given by count and merkleRoot together.', [{ path: query.count === undefined ? 'count' : 'merkleRoot', code: 'REQUIRED', message: 'count and merkleRoot go together' }]);
    }
    return this.audit.verify(query.count === undefined ? [] : [partialSeal(query.count, query.merkleRoot!)]);
  }

  @Post('v1/audit/verify')
  @HttpCode(200)
  @Roles('auditor')
  @ApiOperation({ summary: 'Verify against whole seals kept outside the service (as GET /v1/audit/seals returned them)' })
  @ApiJson(200, 'VerificationReport', 'What was checked and every break found (`ok` false when there is one, e.g. a kept seal the log no longer matches)')
  @ApiProblems(400, 413, 415)
  verifyKept(@Body() body: VerifyBody) {
    return this.audit.verify(body.seals as Seal[]);
  }

  @Get('v1/audit/subjects')
  @Roles('auditor')
  @ApiOperation({ summary: 'Every patient stream: event count, first and last recording time, head digest; paged by subject id (`after`, `next`)' })
  @ApiJson(200, 'SubjectList', 'One page of patient streams in subject id order')
  @ApiProblems(400)
  subjects(@Query() query: SubjectListQuery) {
    return this.audit.subjects(query.after, query.limit);
  }

  @Get('v1/patients/:subjectId/audit')
  @Roles('auditor')
  @ApiOperation({ summary: "One patient's change trail: every stored event with actor, enteredBy, reason, corrected fields and what it changed in the derived record" })
  @ApiJson(200, 'ChangeTrail', "Every stored event of the patient's stream in revision order")
  @ApiProblems(400, 404, 414)
  trail(@Param('subjectId') subjectId: string, @Query() query: TrailQuery) {
    return this.audit.trail(parseSubjectId(subjectId), query.asOf);
  }

  @Get('v1/feed')
  @Roles('auditor', 'reporter')
  @ApiOperation({ summary: 'Server-sent events of stored events (and with include=records, derived-record changes); resumable with Last-Event-ID (a log position)' })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The `id` of the last message received (a log position): the feed resumes strictly after it' })
  @ApiResponse({
    status: 200,
    description:
      'An endless server-sent event stream: the backlog, then each event as it is stored. `event: event` messages carry `id` (the log position) and, as `data`, the stored event as JSON (subjectId, eventId, type, occurredOn, data, metadata, actor, recordedAt, revision, position, schemaVersion) with its chain `digest`; with include=records each is followed by an `event: record` message (subjectId, revision, position, recordChanges, queriesRaised, queriesAnswered, as in the change trail). Comment lines keep an idle connection open.',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiProblems(400)
  async stream(@Query() query: FeedQuery, @Headers('last-event-id') lastEventId: string | undefined, @Req() request: AuthenticatedRequest, @Res() reply: FastifyReply) {
    if (lastEventId !== undefined && !/^\d{1,15}$/.test(lastEventId)) {
      throw new ProblemError(400, 'VALIDATION_FAILED', 'Last-Event-ID must be a log position sent by this feed.', [{ path: 'Last-Event-ID', code: 'BAD_FORMAT', message: 'a non-negative integer' }]);
    }
    await this.feed.serve(request, reply, lastEventId === undefined ? undefined : Number(lastEventId), query.include === 'records');
  }
}

/** A kept seal known by its count and root only: checked by root at that count. */
function partialSeal(count: number, merkleRoot: string): Seal {
  return { sequence: 0, position: 0, count, merkleRoot, frontier: [], previousSealDigest: null, sealedAt: '', digest: '' };
}
