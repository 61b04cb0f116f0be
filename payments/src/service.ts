import { ConsumersCatchUp, Subjects } from '@ticketing/common/events';
import { defineService, type ServiceContext } from '@ticketing/common/service';
import { buildApp } from './app';
import { configSchema, type Config } from './config';
import { migrationsFolder } from './db/migrations-folder';
import { schema, type PaymentsSchema } from './db/schema';
import { OrderCancelledListener } from './events/order-cancelled-listener';
import { OrderCompletedListener } from './events/order-completed-listener';
import { OrderCreatedListener } from './events/order-created-listener';
import { QUEUE_GROUP } from './events/queue-group';
import { PaymentService } from './payments/payment-service';
import { paymentSweeper } from './payments/payment-sweeper';
import { chooseProvider } from './providers/choose-provider';
import type { PaymentProvider } from './providers/payment-provider';

/** How the service may be put together differently (tests wrap the provider). */
export interface PaymentsServiceOptions {
  provider?: (context: ServiceContext<PaymentsSchema, Config>) => PaymentProvider;
  /** Milliseconds between the sweep's passes (default 1 s). */
  sweepIntervalMs?: number;
  /** How long a request waits for another's attempt on the same order before answering 409 (default 10 s). */
  waitMs?: number;
  /** How long a payment waits for payments' copy to take in what the bus holds (default 1 s). */
  catchUpMs?: number;
}

/**
 * The payments service: charges orders exactly once through a payment provider, keeps its
 * copy of orders from order events, and refunds a charge whose order was cancelled.
 */
export function createPaymentsService(options: PaymentsServiceOptions = {}) {
  return defineService({
    name: 'payments',
    config: configSchema,
    database: { schema, migrationsFolder },
    parts: (context) => {
      const provider = options.provider?.(context) ?? chooseProvider(context.config, context.database.db);
      context.logger.info({ provider: provider.name }, 'payment provider chosen');
      // A payment first lets the copy take in the orders placed and cancelled a moment ago.
      let copies: ConsumersCatchUp | undefined;
      const catchUp = () => {
        if (!context.nats.isConnected) return Promise.resolve(false);
        copies ??= new ConsumersCatchUp(
          () => context.nats.manager(),
          context.nats.streamName!,
          [Subjects.OrderCreated, Subjects.OrderCancelled].map((subject) => `${QUEUE_GROUP}-${subject}`),
          { timeoutMs: options.catchUpMs },
        );
        return copies.caughtUp();
      };
      const service: PaymentService = new PaymentService(
        context.database.db,
        provider,
        context.logger,
        { leaseMs: context.config.PAYMENT_LEASE_SECONDS * 1000, waitMs: options.waitMs },
        { onRefundDue: () => sweeper.kick(), catchUp },
      );
      const sweeper = paymentSweeper(service, context.logger, options.sweepIntervalMs);
      return { service, sweeper };
    },
    app: ({ database, logger, config, readiness, parts }) =>
      buildApp({
        database,
        service: parts.service,
        logger,
        jwtKey: config.JWT_KEY,
        cookieSecure: config.COOKIE_SECURE,
        readiness,
      }),
    publishes: [Subjects.PaymentCreated, Subjects.PaymentRefunded],
    listeners: ({ client, database, logger, parts }) => [
      new OrderCreatedListener(client, database, logger),
      new OrderCancelledListener(client, database, () => parts.sweeper.kick(), logger),
      new OrderCompletedListener(client, database, logger),
    ],
    workers: ({ parts }) => [parts.sweeper],
  });
}

/** The payments service as `npm start` and Kubernetes run it. */
export const paymentsService = createPaymentsService();

export default paymentsService;
