import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import {
  DuplicateEventIdError,
  StoredDataCorruptError,
  StoreFullError,
  StoreLockedError,
  StoreUnavailableError,
  WrongExpectedRevisionError,
} from '../../event-store/event-store.errors';
import { ReadModelCorruptError } from '../../projections/read-model.errors';
import { redactUrl } from '../logging/redact';
import { ProblemError, type ProblemDetailItem } from './problem';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  errors?: readonly ProblemDetailItem[];
  [extension: string]: unknown;
}

/** The statuses and codes Fastify gives to what it refuses before a route runs. */
const FASTIFY_CODES: Record<string, [number, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'MALFORMED_BODY'],
  // JSON that does not parse, and JSON with __proto__ or constructor.prototype keys.
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'MALFORMED_BODY'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'MALFORMED_BODY'],
  // The router's own refusals (see fastify-errors.ts): a bad percent-encoding, an over-long path parameter.
  FST_ERR_BAD_URL: [400, 'MALFORMED_URL'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'URI_TOO_LONG'],
};

const FASTIFY_DETAILS: Record<string, (contentType?: string) => string> = {
  MALFORMED_BODY: () => 'The body is not acceptable JSON (it does not parse, or holds __proto__ or constructor.prototype keys).',
  UNSUPPORTED_MEDIA_TYPE: (contentType) =>
    `Bodies are sent as application/json, ${contentType ? `not ${contentType}` : 'with a Content-Type header saying so'}; nothing was stored.`,
  PAYLOAD_TOO_LARGE: () => 'The body is larger than the service accepts (BODY_LIMIT_BYTES); nothing was stored.',
  MALFORMED_URL: () => 'The path holds a malformed percent-encoding.',
  URI_TOO_LONG: () => 'A path parameter is far longer than any route takes (subject ids are at most 64 characters).',
};

/**
 * Turns anything thrown into a problem+json body; unknown errors become a bare 500.
 * `contentType` is the request's, to name it when its media type is refused.
 */
export function toProblem(error: unknown, instance?: string, contentType?: string): { body: ProblemBody; internal: boolean } {
  const make = (status: number, code: string, detail: string, errors?: readonly ProblemDetailItem[], ext: Record<string, unknown> = {}) => ({
    body: {
      type: `/problems/${code.toLowerCase().replace(/_/g, '-')}`,
      title: STATUS_CODES[status] ?? 'Error',
      status,
      code,
      detail,
      ...(instance ? { instance } : {}),
      ...(errors && errors.length > 0 ? { errors } : {}),
      ...ext,
    },
    internal: status >= 500 && code === 'INTERNAL',
  });

  if (error instanceof ProblemError) return make(error.status, error.code, error.detail, error.errors, { ...error.extensions });
  if (error instanceof WrongExpectedRevisionError) {
    return make(409, 'REVISION_CONFLICT', `The patient's stream is at revision ${error.actual ?? 'none'}, not the one expected.`, undefined, {
      currentRevision: error.actual,
    });
  }
  if (error instanceof DuplicateEventIdError) return make(409, 'EVENT_ID_CONFLICT', `Event id ${error.eventId} is already stored.`);
  // Damage to what the service stored is its own fault, never the request's; the answer names
  // no stream and echoes nothing stored (the store logged the stream and position once).
  if (error instanceof StoredDataCorruptError || error instanceof ReadModelCorruptError) {
    return make(500, 'STORED_DATA_CORRUPT', 'Stored data could not be read: a fault of the server, not of this request. Operators have it in the log; retrying will not help until it is mended.');
  }
  if (error instanceof StoreFullError) {
    // Not logged per request: the store logs when it fills and when it has room again.
    return make(503, 'STORAGE_FULL', 'The service has no storage space left: nothing was stored. Retry later.');
  }
  if (error instanceof StoreUnavailableError || error instanceof StoreLockedError) {
    return { ...make(503, 'STORE_UNAVAILABLE', 'The event store is not reachable; retry later.'), internal: true };
  }
  if (error instanceof HttpException) {
    // Nest wraps what Fastify refuses before a route runs; its code says more than its status.
    const cause = error.cause as { code?: unknown } | undefined;
    if (typeof cause?.code === 'string' && FASTIFY_CODES[cause.code]) return toProblem(cause, instance, contentType);
    const status = error.getStatus();
    const code = status === 404 ? 'NOT_FOUND' : status === 405 ? 'METHOD_NOT_ALLOWED' : (STATUS_CODES[status] ?? 'ERROR').toUpperCase().replace(/\W+/g, '_');
    return make(status, code, error.message);
  }
  const fastify = error as { code?: string; statusCode?: number; message?: string };
  if (fastify && typeof fastify.code === 'string' && FASTIFY_CODES[fastify.code]) {
    const [status, code] = FASTIFY_CODES[fastify.code];
    return make(status, code, FASTIFY_DETAILS[code](contentType));
  }
  // Only a SyntaxError Fastify tagged as the request's (status 400) is about the body: any
  // other one comes from the service's own data and is a 500 below, its message not echoed.
  if (fastify && fastify.statusCode === 400) {
    // JSON that does not parse, or a body with __proto__ / constructor.prototype keys (Fastify refuses those).
    return make(400, 'MALFORMED_BODY', `The body is not acceptable JSON: ${fastify.message ?? 'parse error'}`);
  }
  if (fastify && typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return make(fastify.statusCode, 'BAD_REQUEST', fastify.message ?? 'bad request');
  }
  return make(500, 'INTERNAL', 'An unexpected error occurred; it has been logged.');
}

export function sendProblem(reply: FastifyReply, body: ProblemBody): void {
  void reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

/** The one exception filter: every error leaves the service as problem+json. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    // The URL without credentials a client put in its query string, in the answer and the log.
    const url = redactUrl(request.url);
    const { body, internal } = toProblem(error, url, request.headers['content-type']);
    if (internal) this.logger.error({ err: error, url, code: body.code }, 'request failed');
    const reply = http.getResponse<FastifyReply>();
    if (error instanceof ProblemError) for (const [name, value] of Object.entries(error.headers)) void reply.header(name, value);
    sendProblem(reply, body);
  }
}
