import 'reflect-metadata';
import { ApiKeyRegistry, loadOrCreateKeyFile } from './common/auth/api-keys';
import { ConfigError, loadConfig } from './common/config/app-config';
import { systemClock } from './common/clock/clock';
import { createRootLogger } from './common/logging/logger';
import { createApp } from './app.factory';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createRootLogger(config.logLevel);
  let entries = config.apiKeys;
  if (!entries) {
    const file = loadOrCreateKeyFile(config.dataDir);
    // The path, never the keys: the operator reads them from the file.
    logger.info({ path: file.path, created: file.created }, 'API_KEYS not set: using the generated keys in this file (owner-only)');
    entries = file.entries;
  }
  const app = await createApp({ config, clock: systemClock, keys: new ApiKeyRegistry(entries), logger });
  await app.listen(config.port, config.host);
  // The port bound, which PORT=0 leaves to the system.
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  logger.info({ port, eventStore: config.eventStore, dataDir: config.dataDir }, 'treatment timeline service listening');
}

main().catch((error: unknown) => {
  process.stderr.write(`failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
