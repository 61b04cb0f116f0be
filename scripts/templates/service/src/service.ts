import { defineService } from '@ticketing/common/service';
import { buildApp } from './app';
import { configSchema } from './config';
import { migrationsFolder } from './db/migrations-folder';
import { schema } from './db/schema';

/** The __NAME__ service. Add `publishes`, `listeners` and `workers` as it grows. */
export const __CAMEL__Service = defineService({
  name: '__NAME__',
  config: configSchema,
  database: { schema, migrationsFolder },
  app: ({ database, logger, config, readiness }) =>
    buildApp({
      database,
      logger,
      jwtKey: config.JWT_KEY,
      cookieSecure: config.COOKIE_SECURE,
      readiness,
      trustProxyHops: config.TRUST_PROXY_HOPS,
    }),
});

export default __CAMEL__Service;
