import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../common/auth/roles.guard';
import { StoredDataCorruptError } from '../../event-store/event-store.errors';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store.port';
import { PatientProjector } from '../../projections/patient.projector';

/**
 * 200 `ok` only when the store answers and holds no damaged event it has met; otherwise 503
 * with what is wrong. A public route: it names no stream, file content or patient.
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
  @ApiOperation({ summary: '200 once the event store answers and no stored event is known damaged; also shows how far the read model lags the global log' })
  async health(@Res({ passthrough: true }) reply: FastifyReply) {
    let eventLog: { damagedEvents: number } | undefined;
    try {
      await this.store.ping();
    } catch (error) {
      if (!(error instanceof StoredDataCorruptError)) {
        void reply.status(503);
        return { status: 'unavailable', store: 'unreachable' };
      }
      // The log is the truth: a damaged event needs an operator, whatever else still works.
      eventLog = { damagedEvents: error.knownDamaged };
    }
    const projection = await this.projector.status();
    if (eventLog) void reply.status(503);
    return {
      status: eventLog ? 'damaged' : 'ok',
      store: 'reachable',
      ...(eventLog ? { eventLog } : {}),
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
