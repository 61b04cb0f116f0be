import { Subjects } from '@ticketing/common/events';
import { defineService } from '@ticketing/common/service';
import { buildApp } from './app';
import { configSchema } from './config';
import { migrationsFolder } from './db/migrations-folder';
import { schema } from './db/schema';

/** The tickets service: its API, and the ticket events its outbox publishes. */
export const ticketsService = defineService({
  name: 'tickets',
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
  publishes: [Subjects.TicketCreated, Subjects.TicketUpdated],
});

export default ticketsService;
