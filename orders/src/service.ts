import { Subjects } from '@ticketing/common/events';
import { defineService } from '@ticketing/common/service';
import { buildApp } from './app';
import { configSchema } from './config';
import { migrationsFolder } from './db/migrations-folder';
import { schema } from './db/schema';
import { ExpirationCompleteListener } from './events/expiration-complete-listener';
import { PaymentCreatedListener } from './events/payment-created-listener';
import { TicketCreatedListener } from './events/ticket-created-listener';
import { TicketUpdatedListener } from './events/ticket-updated-listener';
import { OrderService } from './orders/order-service';

/**
 * The orders service: reserves tickets, keeps its own copy of them from ticket events,
 * and moves orders along as expirations and payments arrive.
 */
export const ordersService = defineService({
  name: 'orders',
  config: configSchema,
  database: { schema, migrationsFolder },
  app: ({ database, logger, config, readiness }) =>
    buildApp({
      database,
      logger,
      jwtKey: config.JWT_KEY,
      cookieSecure: config.COOKIE_SECURE,
      expirationWindowSeconds: config.EXPIRATION_WINDOW_SECONDS,
      readiness,
    }),
  publishes: [Subjects.OrderCreated, Subjects.OrderCancelled, Subjects.OrderCompleted],
  listeners: ({ client, database, logger, config }) => {
    const service = new OrderService(database.db, config.EXPIRATION_WINDOW_SECONDS);
    return [
      new TicketCreatedListener(client, database, logger),
      new TicketUpdatedListener(client, database, logger),
      new ExpirationCompleteListener(client, database, service, logger),
      new PaymentCreatedListener(client, database, service, logger),
    ];
  },
});

export default ordersService;
