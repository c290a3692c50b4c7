import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiJson, ApiProblems } from '../../common/openapi/api-responses';
import { ref } from '../../common/openapi/schema-builders';
import { PROBLEM_CONTENT_TYPE } from '../../common/problem/problem.filter';
import type { FastifyReply } from 'fastify';
import { Public } from '../../common/auth/roles.guard';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store.port';
import { PatientProjector } from '../../projections/patient.projector';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projector: PatientProjector,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: '200 once the event store answers; also shows how far the read model lags the global log' })
  @ApiJson(200, 'Health', 'The store answers')
  @ApiResponse({
    status: 503,
    description: 'The store does not answer (the health state, as JSON), or the service is shutting down (a problem)',
    content: { 'application/json': { schema: ref('Health') }, [PROBLEM_CONTENT_TYPE]: { schema: ref('ProblemDetails') } },
  })
  @ApiProblems(500)
  async health(@Res({ passthrough: true }) reply: FastifyReply) {
    try {
      await this.store.ping();
    } catch {
      void reply.status(503);
      return { status: 'unavailable', store: 'unreachable' };
    }
    const projection = await this.projector.status();
    return {
      status: 'ok',
      store: 'reachable',
      readModel: {
        state: projection.state,
        checkpoint: projection.checkpoint,
        head: projection.head,
        caughtUp: projection.caughtUp,
        // Global positions behind the head: events on the embedded store (consecutive positions),
        // log bytes on EventStoreDB (commit positions). 0 when caught up either way.
        lagPositions: projection.head === null ? 0 : projection.head - (projection.checkpoint ?? 0),
      },
    };
  }
}
