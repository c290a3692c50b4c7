import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { ApiKeyRegistry, loadOrCreateKeyFile } from './common/auth/api-keys';
import { ConfigError, loadConfig, type AppConfig } from './common/config/app-config';
import { systemClock } from './common/clock/clock';
import { createRootLogger } from './common/logging/logger';
import { EXIT_CODES, startupFailureOf, type ExitCode } from './common/startup/startup-error';
import { createApp } from './app.factory';

/**
 * Starts the service; every way it ends is one of the README's exit codes with a log line
 * saying so. A start-up failure prints one line on stderr naming the cause and the file or
 * address (the stack goes to the log only for a failure the service has no message for).
 */
async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(EXIT_CODES.CONFIGURATION);
  }
  const logger = createRootLogger(config.logLevel);
  let app: NestFastifyApplication | undefined;
  try {
    let entries = config.apiKeys;
    if (!entries) {
      const file = loadOrCreateKeyFile(config.dataDir);
      // The path, never the keys: the operator reads them from the file.
      logger.info({ path: file.path, created: file.created }, 'API_KEYS not set: using the generated keys in this file (owner-only)');
      entries = file.entries;
    }
    app = await createApp({ config, clock: systemClock, keys: new ApiKeyRegistry(entries), logger });
    await app.listen(config.port, config.host);
  } catch (error) {
    const failure = startupFailureOf(error, config);
    process.stderr.write(`treatment timeline service failed to start: ${failure.message}\n`);
    logger.fatal({ exitCode: failure.exitCode, ...(failure.unexpected ? { err: error } : {}) }, `failed to start: ${failure.message}`);
    // Whatever was opened (the stores, their locks) is closed before the process ends.
    await app?.close().catch((closing: unknown) => logger.error({ err: closing }, 'closing after a failed start failed'));
    return exit(logger, failure.exitCode, 'failed to start');
  }
  // The port bound, which PORT=0 leaves to the system; the pid, to stop this very process.
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  logger.info({ port, pid: process.pid, eventStore: config.eventStore, dataDir: config.dataDir }, 'treatment timeline service listening');
  stopOnSignals(app, logger);
}

/**
 * SIGTERM or SIGINT: new requests are refused with 503, those in flight are answered,
 * both databases are closed, then the process exits 0. A signal that comes while stopping
 * changes nothing: Ctrl-C under `npm start` delivers SIGINT twice (from the terminal and
 * forwarded by npm), and the second must not cut the close short. SIGKILL remains.
 */
function stopOnSignals(app: NestFastifyApplication, logger: Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return void logger.info({ signal }, 'already stopping');
    stopping = true;
    logger.info({ signal }, 'stopping: answering the requests in flight, then closing the stores');
    app.close().then(
      () => exit(logger, EXIT_CODES.STOPPED, `stopped on ${signal}`),
      (error: unknown) => {
        logger.error({ err: error }, 'closing the service failed');
        exit(logger, EXIT_CODES.UNEXPECTED, `stopped on ${signal}, not cleanly`);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function exit(logger: Logger, exitCode: ExitCode, reason: string): never {
  logger.info({ exitCode, reason }, 'treatment timeline service stopped');
  logger.flush();
  process.exit(exitCode);
}

main().catch((error: unknown) => {
  // Only a failure before the logger exists reaches here.
  process.stderr.write(`treatment timeline service failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(EXIT_CODES.UNEXPECTED);
});
