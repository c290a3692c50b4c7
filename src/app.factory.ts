import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { AppModule, type AppModuleOptions } from './app.module';
import { PinoNestLogger } from './common/logging/logger';
import { setupOpenApi } from './common/openapi/openapi-document';
import { fastifyProblemOptions, installFastifyProblemHandlers } from './common/problem/fastify-errors';

/** Builds the whole service; main.ts listens on it, e2e tests inject requests into it. */
export async function createApp(options: AppModuleOptions & { logger: Logger }): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: options.config.bodyLimitBytes,
    // Fastify refuses __proto__ and constructor.prototype keys in JSON bodies outright.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    ...fastifyProblemOptions(),
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
    options.logger.info({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    done();
  });

  setupOpenApi(app);
  app.enableShutdownHooks();
  return app;
}
