import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import { ProblemError } from './problem';
import { toProblem, sendProblem, PROBLEM_CONTENT_TYPE, type ProblemBody } from './problem.filter';

/**
 * Longest path parameter the router passes on. Subject ids are at most 64 characters:
 * anything up to this length reaches the route and is refused as a 400 naming
 * `subjectId`; longer is 414 URI_TOO_LONG. (Fastify's default of 100 answered a
 * 101-character id with a 414 in its own JSON shape, before any of our code ran.)
 */
export const MAX_PARAM_LENGTH = 512;

/**
 * Options for the FastifyAdapter so that what Fastify answers on its own, before Nest
 * or our filter can see the request, is problem+json with a stable code too:
 * - the router's own refusals (a malformed percent-encoding, a path parameter over
 *   MAX_PARAM_LENGTH) go through `frameworkErrors`;
 * - errors of Node's HTTP parser (bad request line, headers too large) through
 *   `clientErrorHandler`, written straight to the socket;
 * - Fastify's hard-coded 503 while closing is replaced by the hook of
 *   `installFastifyProblemHandlers`, which answers the same status as a problem.
 */
export function fastifyProblemOptions(): Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler' | 'routerOptions' | 'return503OnClosing'> {
  return {
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
      sendProblem(reply, toProblem(error, request.url).body);
    },
    clientErrorHandler: answerClientError,
    return503OnClosing: false,
  };
}

/**
 * Hooks on the Fastify instance: once the service is closing, new requests (arriving on
 * connections still open) are refused with 503 SHUTTING_DOWN as problem+json, the
 * answer Fastify would otherwise give in its own shape.
 */
export function installFastifyProblemHandlers(fastify: FastifyInstance): void {
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!closing) return done();
    void reply.header('connection', 'close');
    const closingProblem = new ProblemError(503, 'SERVICE_CLOSING', 'The service is shutting down; nothing was done. Retry once it is back.');
    sendProblem(reply, toProblem(closingProblem, request.url).body);
  });
}

const CLIENT_ERRORS: Record<string, { status: number; type: string; code: string; detail: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, type: '/problems/headers-too-large', code: 'HEADERS_TOO_LARGE', detail: 'The request headers are larger than the service accepts.' },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    type: '/problems/request-timeout',
    code: 'REQUEST_TIMEOUT',
    detail: 'The request did not arrive in time (REQUEST_TIMEOUT_MS, HEADERS_TIMEOUT_MS); nothing was done.',
  },
  default: { status: 400, type: '/problems/malformed-request', code: 'MALFORMED_REQUEST', detail: 'The request is not valid HTTP.' },
};

/** Node's HTTP parser refused the request before Fastify saw it: answer on the socket, then close it. */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) return;
  // Headers over Node's limit are 431, a request that did not arrive within the timeouts 408;
  // anything else the parser refuses is a malformed request.
  const kind = CLIENT_ERRORS[error.code ?? ''] ?? CLIENT_ERRORS.default;
  const body: ProblemBody = { type: kind.type, title: STATUS_CODES[kind.status] ?? 'Bad Request', status: kind.status, code: kind.code, detail: kind.detail };
  const status = kind.status;
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${body.title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}
