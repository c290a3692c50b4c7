import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiJson, ApiProblems } from '../../common/openapi/api-responses';
import { ref } from '../../common/openapi/schema-builders';
import { PROBLEM_CONTENT_TYPE } from '../../common/problem/problem.filter';
import type { FastifyReply } from 'fastify';
import { Public } from '../../common/auth/roles.guard';
import { StoredDataCorruptError, StoreFullError } from '../../event-store/event-store.errors';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store.port';
import { PatientProjector } from '../../projections/patient.projector';

/**
 * 200 `ok` when the store answers, has room for appends and holds no damaged event it has
 * met, and the read model is not stuck on a full disk; otherwise 503 saying what is wrong.
 * A probe also triggers recovery: after a full disk, the store and the read model each
 * check for room here and take writes again as soon as there is some, without a restart.
 * A public route: it names no stream, file content or patient.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projector: PatientProjector,
  ) {}

  @Get()
  @Public()
  @ApiOperation({
    summary:
      '200 once the event store answers and has room, no stored event is known damaged and the read model can write; also shows how far the read model lags the global log',
  })
  @ApiJson(200, 'Health', 'The store answers')
  @ApiResponse({
    status: 503,
    description: 'The store does not answer (the health state, as JSON), or the service is shutting down (a problem)',
    content: { 'application/json': { schema: ref('Health') }, [PROBLEM_CONTENT_TYPE]: { schema: ref('ProblemDetails') } },
  })
  @ApiProblems(500)
  async health(@Res({ passthrough: true }) reply: FastifyReply) {
    let storeState: 'reachable' | 'full' = 'reachable';
    let eventLog: { damagedEvents: number } | undefined;
    try {
      await this.store.ping();
    } catch (error) {
      if (error instanceof StoreFullError) storeState = 'full';
      // The log is the truth: a damaged event needs an operator, whatever else still works.
      else if (error instanceof StoredDataCorruptError) eventLog = { damagedEvents: error.knownDamaged };
      else {
        void reply.status(503);
        return { status: 'unavailable', store: 'unreachable' };
      }
    }
    // Only a full disk is retried from here; other failures keep their backoff.
    const readModelFull = (await this.projector.status()).fault === 'storage-full' && !this.projector.retryNow();
    const projection = await this.projector.status();
    const status = eventLog || projection.fault === 'damaged' ? 'damaged' : storeState === 'full' || readModelFull ? 'storage-full' : 'ok';
    if (status !== 'ok') void reply.status(503);
    return {
      status,
      store: storeState,
      ...(eventLog ? { eventLog } : {}),
      readModel: {
        state: projection.state,
        ...(projection.fault ? { fault: projection.fault } : {}),
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
