import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles, type AuthenticatedRequest } from '../common/auth/roles.guard';
import { ProblemError } from '../common/problem/problem';
import { parseSubjectId } from '../api/common/request-params';
import type { Seal } from '../event-store/log-seal';
import { AuditService } from './audit.service';
import { FeedQuery, SealListQuery, SubjectListQuery, TrailQuery, VerifyBody, VerifyQuery } from './audit.dto';
import { FeedWriter } from './feed.writer';

@ApiTags('audit')
@ApiBearerAuth()
@Controller()
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly feed: FeedWriter,
  ) {}

  @Get('v1/audit/seals')
  @Roles('auditor')
  @ApiOperation({ summary: 'The seals of the global log, in sequence order: keep them outside the service to verify against later' })
  seals(@Query() query: SealListQuery) {
    return this.audit.seals(query.fromSequence, query.limit);
  }

  @Get('v1/audit/verify')
  @Roles('auditor')
  @ApiOperation({ summary: 'Verify every stream chain, the log order and the seal chain; optionally against a kept seal given by count and merkleRoot' })
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
  verifyKept(@Body() body: VerifyBody) {
    return this.audit.verify(body.seals as Seal[]);
  }

  @Get('v1/audit/subjects')
  @Roles('auditor')
  @ApiOperation({ summary: 'Every patient stream: event count, first and last recording time, head digest; paged by subject id (`after`, `next`)' })
  subjects(@Query() query: SubjectListQuery) {
    return this.audit.subjects(query.after, query.limit);
  }

  @Get('v1/patients/:subjectId/audit')
  @Roles('auditor')
  @ApiOperation({ summary: "One patient's change trail: every stored event with actor, enteredBy, reason, corrected fields and what it changed in the derived record" })
  trail(@Param('subjectId') subjectId: string, @Query() query: TrailQuery) {
    return this.audit.trail(parseSubjectId(subjectId), query.asOf);
  }

  @Get('v1/feed')
  @Roles('auditor', 'reporter')
  @ApiProduces('text/event-stream')
  @ApiOperation({ summary: 'Server-sent events of stored events (and with include=records, derived-record changes); resumable with Last-Event-ID (a log position)' })
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
