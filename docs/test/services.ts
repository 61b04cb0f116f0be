import type { Express } from 'express';
import { OutboxRelay, type Database, type PublishFn } from '@ticketing/common/db';
import { isSubject, parseEventData, type Event, type Listener } from '@ticketing/common/events';
import { createLogger } from '@ticketing/common/service';
import { createTestDatabase, freePort, TEST_JWT_KEY } from '@ticketing/common/testing';
import { buildApp as buildAuthApp } from '../../auth/src/app';
import { migrationsFolder as authMigrations } from '../../auth/src/db/migrations-folder';
import { schema as authSchema } from '../../auth/src/db/schema';
import { buildApp as buildOrdersApp } from '../../orders/src/app';
import { migrationsFolder as ordersMigrations } from '../../orders/src/db/migrations-folder';
import { schema as ordersSchema } from '../../orders/src/db/schema';
import { ExpirationCompleteListener } from '../../orders/src/events/expiration-complete-listener';
import { PaymentCreatedListener } from '../../orders/src/events/payment-created-listener';
import { TicketCreatedListener } from '../../orders/src/events/ticket-created-listener';
import { TicketUpdatedListener } from '../../orders/src/events/ticket-updated-listener';
import { OrderService } from '../../orders/src/orders/order-service';
import { buildApp as buildPaymentsApp } from '../../payments/src/app';
import { findOrder } from '../../payments/src/db/order-copy';
import { migrationsFolder as paymentsMigrations } from '../../payments/src/db/migrations-folder';
import { schema as paymentsSchema, type PaymentsSchema } from '../../payments/src/db/schema';
import { OrderCancelledListener as PaymentsOrderCancelled } from '../../payments/src/events/order-cancelled-listener';
import { OrderCompletedListener as PaymentsOrderCompleted } from '../../payments/src/events/order-completed-listener';
import { OrderCreatedListener as PaymentsOrderCreated } from '../../payments/src/events/order-created-listener';
import { PaymentService } from '../../payments/src/payments/payment-service';
import type { PaymentProvider } from '../../payments/src/providers/payment-provider';
import { StripePaymentProvider } from '../../payments/src/providers/stripe-provider';
import { TestPaymentProvider } from '../../payments/src/providers/test-provider';
import { buildApp as buildTicketsApp } from '../../tickets/src/app';
import { migrationsFolder as ticketsMigrations } from '../../tickets/src/db/migrations-folder';
import { schema as ticketsSchema } from '../../tickets/src/db/schema';
import { OrderCancelledListener as TicketsOrderCancelled } from '../../tickets/src/events/order-cancelled-listener';
import { OrderCompletedListener as TicketsOrderCompleted } from '../../tickets/src/events/order-completed-listener';
import { OrderCreatedListener as TicketsOrderCreated } from '../../tickets/src/events/order-created-listener';

const logger = createLogger('openapi-test', 'silent');

/** How long a payment request waits for another one in flight before its 409 (10 s in the service). */
const PAYMENT_WAIT_MS = 500;

/**
 * Every HTTP service's real app on its own fresh database, one per service whose database is
 * gone (for the 503s), and the events between them delivered without a bus.
 */
export interface ServiceApps {
  auth: Express;
  tickets: Express;
  orders: Express;
  payments: Express;
  authDown: Express;
  ticketsDown: Express;
  ordersDown: Express;
  paymentsDown: Express;
  /** payments on the same database as `payments`, charging through Stripe's adapter at an address nobody answers. */
  paymentsProviderDown: Express;
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

export async function startServiceApps(): Promise<ServiceApps> {
  const authDb = await createTestDatabase({ schema: authSchema, migrationsFolder: authMigrations });
  const ticketsDb = await createTestDatabase({ schema: ticketsSchema, migrationsFolder: ticketsMigrations });
  const ordersDb = await createTestDatabase({ schema: ordersSchema, migrationsFolder: ordersMigrations });
  const paymentsDb = await createTestDatabase({ schema: paymentsSchema, migrationsFolder: paymentsMigrations });

  const common = { logger, jwtKey: TEST_JWT_KEY, cookieSecure: false };
  const auth = (database: Database<typeof authSchema>) =>
    buildAuthApp({ ...common, database, jwtExpiresInSeconds: 86_400 });
  const tickets = (database: Database<typeof ticketsSchema>) => buildTicketsApp({ ...common, database });
  // The scenarios place every order as one buyer, more than the 10 a buyer may hold in production.
  const orderRules = { expirationWindowSeconds: 900, maxOpenOrdersPerBuyer: 1_000 };
  const orders = (database: Database<typeof ordersSchema>) =>
    buildOrdersApp({ ...common, database, service: new OrderService(database.db, orderRules) });
  const paymentService = (database: Database<PaymentsSchema>, provider: PaymentProvider) =>
    new PaymentService(database.db, provider, logger, { leaseMs: 60_000, waitMs: PAYMENT_WAIT_MS });
  const payments = (database: Database<PaymentsSchema>, service: PaymentService) =>
    buildPaymentsApp({ ...common, database, service });

  const paying = paymentService(paymentsDb, new TestPaymentProvider(paymentsDb.db));
  const nowhere = `http://127.0.0.1:${await freePort()}`;
  const unreachable = paymentService(
    paymentsDb,
    new StripePaymentProvider({ secretKey: 'sk_test_nobodylistens', apiUrl: nowhere }),
  );
  const paymentsGone = await goneDatabase(paymentsSchema, paymentsMigrations);

  // Every listener the services run (expiration's aside: it serves no HTTP). Their client is
  // only used to subscribe, which nothing here does: events reach them from the relays below.
  const noBus = undefined as unknown as ConstructorParameters<typeof TicketCreatedListener>[0];
  const orderService = new OrderService(ordersDb.db, orderRules);
  const listeners: Listener<Event>[] = [
    new TicketsOrderCreated(noBus, ticketsDb, logger),
    new TicketsOrderCancelled(noBus, ticketsDb, logger),
    new TicketsOrderCompleted(noBus, ticketsDb, logger),
    new TicketCreatedListener(noBus, ordersDb, logger),
    new TicketUpdatedListener(noBus, ordersDb, logger),
    new ExpirationCompleteListener(noBus, ordersDb, orderService, logger),
    new PaymentCreatedListener(noBus, ordersDb, orderService, logger),
    new PaymentsOrderCreated(noBus, paymentsDb, logger),
    new PaymentsOrderCancelled(noBus, paymentsDb, () => {}, logger),
    new PaymentsOrderCompleted(noBus, paymentsDb, logger),
  ];
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

  return {
    auth: auth(authDb),
    tickets: tickets(ticketsDb),
    orders: orders(ordersDb),
    payments: payments(paymentsDb, paying),
    authDown: auth(await goneDatabase(authSchema, authMigrations)),
    ticketsDown: tickets(await goneDatabase(ticketsSchema, ticketsMigrations)),
    ordersDown: orders(await goneDatabase(ordersSchema, ordersMigrations)),
    paymentsDown: payments(paymentsGone, paymentService(paymentsGone, new TestPaymentProvider(paymentsGone.db))),
    paymentsProviderDown: payments(paymentsDb, unreachable),
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
      const order = await findOrder(paymentsDb.db, orderId);
      if (!order) throw new Error(`payments has not heard of order ${orderId}`);
      if (!(await paying.ledger.startFirst(order, token))) throw new Error(`order ${orderId} has a payment already`);
    },
    async close() {
      await authDb.close();
      await ticketsDb.close();
      await ordersDb.close();
      await paymentsDb.close();
    },
  };
}
