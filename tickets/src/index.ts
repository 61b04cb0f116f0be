import path from 'node:path';
import { createLogger, listen, natsWrapper, openDatabase, runService } from '@ticketing/common';
import { buildApp } from './app';
import { loadConfig } from './config';
import { migrationsFolder } from './db/migrations-folder';
import { schema } from './db/schema';
import { createTicketRelay, relayReadiness } from './events/ticket-relay';

async function main() {
  const config = loadConfig();
  const logger = createLogger('tickets', config.LOG_LEVEL);
  if (!config.DATABASE_URL && !config.DATA_DIR) {
    logger.warn('neither DATABASE_URL nor DATA_DIR is set: tickets live in memory and are lost on restart');
  }
  const database = await openDatabase({
    schema,
    migrationsFolder,
    url: config.DATABASE_URL,
    dataDir: config.DATA_DIR && path.join(config.DATA_DIR, 'tickets'),
    logger,
  });
  const relay = createTicketRelay({ database, nats: natsWrapper, logger });
  const app = buildApp({
    database,
    logger,
    jwtKey: config.JWT_KEY,
    cookieSecure: config.COOKIE_SECURE,
    onEventsQueued: () => relay.kick(),
    readiness: relayReadiness(natsWrapper, relay),
  });
  const server = await listen(app, config.PORT);
  logger.info({ port: config.PORT }, 'tickets listening');
  const shutdown = runService({
    logger,
    server,
    steps: [
      { name: 'outbox relay', run: () => relay.stop() },
      { name: 'nats', run: () => natsWrapper.close() },
      { name: 'database', run: () => database.close() },
    ],
  });

  relay.start();
  // Not awaited: the service serves (and queues events) while NATS is still unreachable,
  // as pods often start before NATS does. The relay publishes once it is connected.
  natsWrapper
    .connect(config.NATS_CLUSTER_ID, config.NATS_CLIENT_ID, config.NATS_URL, { logger })
    .then(() => relay.kick())
    .catch((error: unknown) => {
      logger.fatal({ err: error }, 'cannot set up NATS');
      void shutdown('NATS setup failed', 1);
    });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
