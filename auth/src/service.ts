import { defineService } from '@ticketing/common/service';
import { buildApp } from './app';
import { configSchema } from './config';
import { migrationsFolder } from './db/migrations-folder';
import { schema } from './db/schema';

/** The auth service: accounts and sessions. It is not on the bus. */
export const authService = defineService({
  name: 'auth',
  config: configSchema,
  database: { schema, migrationsFolder },
  app: ({ database, logger, config }) =>
    buildApp({
      database,
      logger,
      jwtKey: config.JWT_KEY,
      jwtExpiresInSeconds: config.JWT_EXPIRES_IN,
      cookieSecure: config.COOKIE_SECURE,
    }),
});

export default authService;
