import path from 'node:path';
import { createLogger, listen, openDatabase, runService } from '@ticketing/common';
import { buildApp } from './app';
import { loadConfig } from './config';
import { migrationsFolder } from './db/migrations-folder';
import { schema } from './db/schema';

async function main() {
  const config = loadConfig();
  const logger = createLogger('auth', config.LOG_LEVEL);
  if (!config.DATABASE_URL && !config.DATA_DIR) {
    logger.warn('neither DATABASE_URL nor DATA_DIR is set: accounts live in memory and are lost on restart');
  }
  const database = await openDatabase({
    schema,
    migrationsFolder,
    url: config.DATABASE_URL,
    dataDir: config.DATA_DIR && path.join(config.DATA_DIR, 'auth'),
    logger,
  });
  const app = buildApp({
    database,
    logger,
    jwtKey: config.JWT_KEY,
    jwtExpiresInSeconds: config.JWT_EXPIRES_IN,
    cookieSecure: config.COOKIE_SECURE,
  });
  const server = await listen(app, config.PORT);
  logger.info({ port: config.PORT }, 'auth listening');
  runService({ logger, server, steps: [{ name: 'database', run: () => database.close() }] });
}

main().catch((error: unknown) => {
  // Config errors already name every bad variable; print them plainly for a person.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
