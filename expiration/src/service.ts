import { Subjects } from '@ticketing/common/events';
import { defineService } from '@ticketing/common/service';
import { configSchema } from './config';
import { migrationsFolder } from './db/migrations-folder';
import { schema } from './db/schema';
import { OrderCancelledListener, OrderCompletedListener, OrderCreatedListener } from './events/order-listeners';
import { ExpirationPoller } from './schedule/expiration-poller';

/**
 * The expiration service: keeps each unpaid order's expiry in its own database and fires
 * `expiration:complete` when it falls due, across crashes and restarts. No HTTP API: it
 * answers `/healthz` and `/readyz` only.
 */
export const expirationService = defineService({
  name: 'expiration',
  config: configSchema,
  database: { schema, migrationsFolder },
  publishes: [Subjects.ExpirationComplete],
  listeners: ({ client, database, logger }) => [
    new OrderCreatedListener(client, database, logger),
    new OrderCancelledListener(client, database, logger),
    new OrderCompletedListener(client, database, logger),
  ],
  workers: ({ database, logger, config }) => [new ExpirationPoller(database, logger, config.EXPIRATION_POLL_MS)],
});

export default expirationService;
