import type { RequestListener } from 'node:http';
import type { Express } from 'express';
import type { z } from 'zod';
import { OutboxRelay, type Database, type PublishFn } from '@ticketing/common/db';
import { isSubject, parseEventData, type Event, type Listener } from '@ticketing/common/events';
import { createLogger, type ServiceDefinition } from '@ticketing/common/service';
import { composeTestService, createTestDatabase, freePort } from '@ticketing/common/testing';
import { authService } from '../../auth/src/service';
import { ordersService } from '../../orders/src/service';
import { OrderCopies } from '../../payments/src/db/order-copy';
import { createPaymentsService } from '../../payments/src/service';
import { ticketsService } from '../../tickets/src/service';

const logger = createLogger('openapi-test', 'silent');

/** How long a payment request waits for another one in flight before its 409 (10 s in the service). */
const PAYMENT_WAIT_MS = 500;

/** payments as it runs, but quicker to give up waiting on another request's attempt. */
const paymentsService = createPaymentsService({ waitMs: PAYMENT_WAIT_MS });

/**
 * Every HTTP service's app, built from its definition, on its own fresh database, one per service whose database is
 * gone (for the 503s), and the events between them delivered without a bus.
 */
export interface ServiceApps {
  auth: RequestListener;
  tickets: RequestListener;
  orders: RequestListener;
  payments: RequestListener;
  /** The four services' own Express apps, whose routes `listRoutes` reads (`/metrics` is answered in front of them). */
  own: Express[];
  authDown: RequestListener;
  ticketsDown: RequestListener;
  ordersDown: RequestListener;
  paymentsDown: RequestListener;
  /** payments on the same database as `payments`, charging through Stripe's adapter at an address nobody answers. */
  paymentsProviderDown: RequestListener;
  /**
   * Publishes what the services queued in their outboxes, through their own outbox relays, to
   * the listeners of the other services, as the bus would; until no event is left (a delivered
   * event may queue others: a reservation's `ticket:updated`, say).
   */
  deliverEvents(): Promise<void>;
  /** Starts a payment attempt as a request does first (the order's row written `pending`, leased) and leaves it in flight. */
  startPaymentAttempt(orderId: string, token: string): Promise<void>;
  close(): Promise<void>;
}

/** A database that was migrated, then closed: every query fails as when the server is gone. */
async function goneDatabase<TSchema extends Record<string, unknown>>(
  schema: TSchema,
  migrationsFolder: string,
): Promise<Database<TSchema>> {
  const database = await createTestDatabase({ schema, migrationsFolder });
  await database.close();
  return database;
}

/** A service built from its own definition, as `npm start` builds it, off the bus. */
function compose<TSchema extends Record<string, unknown>, TConfigSchema extends z.ZodObject, TParts>(
  definition: ServiceDefinition<TSchema, TConfigSchema, TParts>,
  database: Database<TSchema>,
  env: Record<string, string> = {},
) {
  const composed = composeTestService(definition, database, { env });
  return { ...composed, own: composed.handler as Express };
}

export async function startServiceApps(): Promise<ServiceApps> {
  const authDb = await createTestDatabase(authService.database);
  const ticketsDb = await createTestDatabase(ticketsService.database);
  const ordersDb = await createTestDatabase(ordersService.database);
  const paymentsDb = await createTestDatabase(paymentsService.database);

  // The scenarios place every order as one buyer, more than the 10 a buyer may hold in production.
  const ordersEnv = { MAX_OPEN_ORDERS_PER_BUYER: '1000' };
  const auth = compose(authService, authDb);
  const tickets = compose(ticketsService, ticketsDb);
  const orders = compose(ordersService, ordersDb, ordersEnv);
  const payments = compose(paymentsService, paymentsDb);
  // payments on the same database, charging through Stripe's adapter at an address nobody answers.
  const nowhere = `http://127.0.0.1:${await freePort()}`;
  const stripeAway = compose(paymentsService, paymentsDb, {
    STRIPE_SECRET_KEY: 'sk_test_nobodylistens',
    STRIPE_API_URL: nowhere,
  });

  // Every listener the services run (expiration's aside: it serves no HTTP).
  const listeners: Listener<Event>[] = [tickets, orders, payments].flatMap((service) => service.listeners);
  let sequence = 0;
  const publish: PublishFn = async (subject, data, msgId) => {
    if (!isSubject(subject)) throw new Error(`no contract for ${subject}`);
    const seq = ++sequence;
    for (const listener of listeners.filter((candidate) => candidate.subject === subject)) {
      // As a listener receives it: checked against the contract, then handled (once per message id).
      await listener.onMessage(parseEventData(subject, data), {
        subject,
        seq,
        msgId,
        deliveryCount: 1,
        timestamp: new Date(),
      });
    }
    return seq;
  };
  const relays = [ticketsDb, ordersDb, paymentsDb].map((database) => new OutboxRelay({ database, publish, logger }));
  // A database that is gone, for each service's 503s.
  const gone = async <TSchema extends Record<string, unknown>, TConfigSchema extends z.ZodObject, TParts>(
    definition: ServiceDefinition<TSchema, TConfigSchema, TParts>,
    env?: Record<string, string>,
  ) =>
    compose(definition, await goneDatabase(definition.database.schema, definition.database.migrationsFolder), env).app;

  return {
    auth: auth.app,
    tickets: tickets.app,
    orders: orders.app,
    payments: payments.app,
    own: [auth.own, tickets.own, orders.own, payments.own],
    authDown: await gone(authService),
    ticketsDown: await gone(ticketsService),
    ordersDown: await gone(ordersService, ordersEnv),
    paymentsDown: await gone(paymentsService),
    paymentsProviderDown: stripeAway.app,
    async deliverEvents() {
      for (;;) {
        let published = 0;
        for (const relay of relays) {
          const count = await relay.runOnce();
          if (count === 'busy') throw new Error('another relay holds the outbox');
          published += count;
        }
        if (published === 0) return;
      }
    },
    async startPaymentAttempt(orderId, token) {
      const order = await new OrderCopies(paymentsDb.db).find(orderId);
      if (!order) throw new Error(`payments has not heard of order ${orderId}`);
      if (!(await payments.context.parts.service.ledger.startFirst(order, token))) {
        throw new Error(`order ${orderId} has a payment already`);
      }
    },
    async close() {
      await authDb.close();
      await ticketsDb.close();
      await ordersDb.close();
      await paymentsDb.close();
    },
  };
}
