import { applyDecorators, Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '../../common/config/app-config';
import { ProblemError } from '../../common/problem/problem';
import { PROBLEM_CONTENT_TYPE } from '../../common/problem/problem.filter';
import { ref } from '../../common/openapi/schema-builders';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store.port';
import { PatientProjector } from '../../projections/patient.projector';

/**
 * How current a list or report read from the read model is, against the log as it stood
 * when the request came: `position` is the global position through which every event is
 * folded into the rows (null when none is, e.g. early in a rebuild), `head` the log's
 * last position then (null: an empty log).
 */
export interface ReadModelState {
  readonly caughtUp: boolean;
  readonly position: number | null;
  readonly head: number | null;
}

export const CONSISTENCY_VALUES = ['wait'] as const;
export const READ_MODEL_HEADER = 'x-read-model';

/**
 * Lists and reports read the read model, which follows the log a little behind it (and
 * far behind during a rebuild or a catch-up at start). This says how far, and waits for
 * it when the client asks (`consistency=wait`), up to READ_MODEL_WAIT_MS.
 */
@Injectable()
export class ReadModelConsistency {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly projector: PatientProjector,
  ) {}

  /** The state now, against the head now. */
  async state(): Promise<ReadModelState> {
    return this.against(await this.store.headPosition());
  }

  /**
   * Waits, at most READ_MODEL_WAIT_MS, until everything stored before the call is folded;
   * still behind then: 503 READ_MODEL_BEHIND with Retry-After. Events stored during the
   * wait are not waited for, so a busy log cannot keep a client waiting for ever.
   */
  async caughtUp(): Promise<ReadModelState> {
    const head = await this.store.headPosition();
    let state = this.against(head);
    if (!state.caughtUp && this.config.readModelWaitMs > 0) {
      const gaveUp = new AbortController();
      const timer = setTimeout(() => gaveUp.abort(), this.config.readModelWaitMs);
      try {
        await this.projector.waitFor(head ?? -1, gaveUp.signal);
      } finally {
        clearTimeout(timer);
        gaveUp.abort();
      }
      state = this.against(head);
    }
    if (!state.caughtUp) {
      const retryAfter = Math.max(1, Math.round(this.config.readModelWaitMs / 1000));
      throw new ProblemError(
        503,
        'READ_MODEL_BEHIND',
        `The read model has not caught up with the event log (folded through ${state.position ?? 'none'}, log at ${state.head ?? 'none'}) within ${this.config.readModelWaitMs} ms; retry later.`,
        undefined,
        { readModel: state },
        { 'retry-after': String(retryAfter), [READ_MODEL_HEADER]: headerOf(state) },
      );
    }
    return state;
  }

  private against(head: number | null): ReadModelState {
    const folded = this.projector.foldedPosition();
    // -1: an empty log folded; a log that was empty when asked is caught up once the first fold is done.
    const caughtUp = folded !== null && (head === null || folded >= head);
    return { caughtUp, position: folded === null || folded < 0 ? null : folded, head };
  }
}

/** `caught-up; position=41; head=41` or `behind; position=none; head=41`. */
export function headerOf(state: ReadModelState): string {
  return `${state.caughtUp ? 'caught-up' : 'behind'}; position=${state.position ?? 'none'}; head=${state.head ?? 'none'}`;
}

/**
 * On a route answered from the read model: before the handler, takes the state (or waits
 * for it with `consistency=wait`), so an answer said to be caught up holds at least what
 * the log held then; after it, sends the state as the X-Read-Model header and, in a JSON
 * object body, as `readModel`. A CSV body carries the header alone.
 */
@Injectable()
export class ReadModelInterceptor implements NestInterceptor {
  constructor(private readonly consistency: ReadModelConsistency) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const query = http.getRequest<FastifyRequest>().query as Record<string, unknown> | undefined;
    // Any other value of `consistency` is refused by the route's query DTO, after this.
    const state = query?.consistency === 'wait' ? await this.consistency.caughtUp() : await this.consistency.state();
    void http.getResponse<FastifyReply>().header(READ_MODEL_HEADER, headerOf(state));
    return next.handle().pipe(map((body: unknown) => (isJsonObject(body) ? { ...body, readModel: state } : body)));
  }
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The OpenAPI of what ReadModelInterceptor adds to a route: the header, `readModel` in a JSON
 * answer of the named schema (when given), and the 503 of `consistency=wait`.
 */
export function ApiReadModel(schema?: string, description = 'The answer, with `readModel: { caughtUp, position, head }`'): MethodDecorator {
  const headers = {
    [READ_MODEL_HEADER]: { description: '`caught-up|behind; position=<folded through>; head=<log head when asked>`', schema: { type: 'string' } },
  };
  const withState = (name: string) => ({ allOf: [ref(name), { type: 'object', required: ['readModel'], properties: { readModel: ref('ReadModelState') } }] });
  return applyDecorators(
    ...(schema ? [ApiResponse({ status: 200, description, headers, content: { 'application/json': { schema: withState(schema) } } })] : []),
    ApiResponse({
      status: 503,
      description: 'With `consistency=wait`: the read model did not catch up in time (READ_MODEL_BEHIND), Retry-After says when to ask again; or the store is not reachable',
      headers,
      content: { [PROBLEM_CONTENT_TYPE]: { schema: ref('ProblemDetails') } },
    }),
  );
}
