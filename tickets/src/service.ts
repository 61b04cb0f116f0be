import { Subjects } from '@ticketing/common/events';
import { defineService } from '@ticketing/common/service';
import { buildApp } from './app';
import { configSchema } from './config';
import { migrationsFolder } from './db/migrations-folder';
import { schema } from './db/schema';
import { OrderCancelledListener } from './events/order-cancelled-listener';
import { OrderCompletedListener } from './events/order-completed-listener';
import { OrderCreatedListener } from './events/order-created-listener';

/** The tickets service: its API, the ticket events its outbox publishes, and reservations and sales from order events. */
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
  listeners: ({ client, database, logger }) => [
    new OrderCreatedListener(client, database, logger),
    new OrderCancelledListener(client, database, logger),
    new OrderCompletedListener(client, database, logger),
  ],
});

export default ticketsService;
