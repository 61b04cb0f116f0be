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
  parts: ({ database, config, outbox }) => ({
    orders: new OrderService(database.db, {
      expirationWindowSeconds: config.EXPIRATION_WINDOW_SECONDS,
      maxOpenOrdersPerBuyer: config.MAX_OPEN_ORDERS_PER_BUYER,
      published: (ids) => outbox?.published(ids) ?? Promise.resolve(false),
    }),
  }),
  app: ({ database, logger, config, readiness, parts }) =>
    buildApp({
      database,
      service: parts.orders,
      logger,
      jwtKey: config.JWT_KEY,
      cookieSecure: config.COOKIE_SECURE,
      readiness,
    }),
  publishes: [Subjects.OrderCreated, Subjects.OrderCancelled, Subjects.OrderCompleted],
  listeners: ({ client, database, logger, parts }) => [
    new TicketCreatedListener(client, database, logger),
    new TicketUpdatedListener(client, database, logger),
    new ExpirationCompleteListener(client, database, parts.orders, logger),
    new PaymentCreatedListener(client, database, parts.orders, logger),
  ],
});

export default ordersService;
