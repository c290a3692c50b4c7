import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { AppModule, type AppModuleOptions } from './app.module';
import { PinoNestLogger } from './common/logging/logger';
import { setupOpenApi } from './common/openapi/openapi-document';
import { fastifyProblemOptions, installFastifyProblemHandlers } from './common/problem/fastify-errors';
import { redactUrl } from './common/logging/redact';

/** Builds the whole service; main.ts listens on it, e2e tests inject requests into it. */
export async function createApp(options: AppModuleOptions & { logger: Logger }): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: options.config.bodyLimitBytes,
    // Fastify refuses __proto__ and constructor.prototype keys in JSON bodies outright.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    ...fastifyProblemOptions(),
    // A client that sends its request slowly (a byte every few seconds) would otherwise hold
    // its connection for ever: the whole request, headers and body, must arrive within
    // requestTimeoutMs (then Node answers 408 and closes), its headers within headersTimeoutMs,
    // and an idle keep-alive connection is closed after keepAliveTimeoutMs. Answers may take
    // as long as they need: the clock stops once the request is in.
    requestTimeout: options.config.requestTimeoutMs,
    keepAliveTimeout: options.config.keepAliveTimeoutMs,
    http: {
      headersTimeout: options.config.headersTimeoutMs,
      // Node checks the two timeouts above on this interval (30 s unless set), so a timeout of
      // 10 s could otherwise take 40: a quarter of the shorter one, at most a second.
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(Math.min(options.config.headersTimeoutMs, options.config.requestTimeoutMs) / 4))),
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    logger: new PinoNestLogger(options.logger),
    abortOnError: false,
    // Bodies are JSON only, parsed by Fastify's own parser under the limits above: no form
    // parser from Nest, and no text/plain one from Fastify, so any other body is 415
    // naming its type rather than a string or an object failing as "invalid fields".
    bodyParser: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('text/plain');
  installFastifyProblemHandlers(fastify);
  fastify.addHook('onResponse', (request, reply, done) => {
    options.logger.info({ method: request.method, url: redactUrl(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    done();
  });

  setupOpenApi(app);
  // Signals are main.ts's to handle: it logs the stop and exits with a documented code.
  return app;
}
