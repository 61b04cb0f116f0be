import type { Database } from '@ticketing/common/db';
import { Subjects } from '@ticketing/common/events';
import { defineService, type ServiceContext } from '@ticketing/common/service';
import { buildApp } from './app';
import { configSchema, type Config } from './config';
import { migrationsFolder } from './db/migrations-folder';
import { schema, type PaymentsSchema } from './db/schema';
import { OrderCancelledListener } from './events/order-cancelled-listener';
import { OrderCompletedListener } from './events/order-completed-listener';
import { OrderCreatedListener } from './events/order-created-listener';
import { PaymentService } from './payments/payment-service';
import { PaymentSweeper } from './payments/payment-sweeper';
import { chooseProvider } from './providers/choose-provider';
import type { PaymentProvider } from './providers/payment-provider';

/** The parts one running instance shares between its routes, its listeners and its sweep. */
interface PaymentsParts {
  service: PaymentService;
  sweeper: PaymentSweeper;
}

/** How the service may be put together differently (tests wrap the provider). */
export interface PaymentsServiceOptions {
  provider?: (context: ServiceContext<PaymentsSchema, Config>) => PaymentProvider;
  /** Milliseconds between the sweep's passes (default 1 s). */
  sweepIntervalMs?: number;
  /** How long a request waits for another's attempt on the same order before answering 409 (default 10 s). */
  waitMs?: number;
}

/**
 * The payments service: charges orders exactly once through a payment provider, keeps its
 * copy of orders from order events, and refunds a charge whose order was cancelled.
 */
export function createPaymentsService(options: PaymentsServiceOptions = {}) {
  // The runner builds the app, the workers and the listeners from one context each start.
  const parts = new WeakMap<Database<PaymentsSchema>, PaymentsParts>();
  const partsOf = (context: ServiceContext<PaymentsSchema, Config>): PaymentsParts => {
    let found = parts.get(context.database);
    if (!found) {
      const provider = options.provider?.(context) ?? chooseProvider(context.config, context.database.db);
      const service: PaymentService = new PaymentService(
        context.database.db,
        provider,
        context.logger,
        { leaseMs: context.config.PAYMENT_LEASE_SECONDS * 1000, waitMs: options.waitMs },
        () => sweeper.kick(),
      );
      const sweeper = new PaymentSweeper(service, context.logger, options.sweepIntervalMs);
      found = { service, sweeper };
      parts.set(context.database, found);
      context.logger.info({ provider: provider.name }, 'payment provider chosen');
    }
    return found;
  };

  return defineService({
    name: 'payments',
    config: configSchema,
    database: { schema, migrationsFolder },
    app: (context) =>
      buildApp({
        database: context.database,
        service: partsOf(context).service,
        logger: context.logger,
        jwtKey: context.config.JWT_KEY,
        cookieSecure: context.config.COOKIE_SECURE,
        readiness: context.readiness,
      }),
    publishes: [Subjects.PaymentCreated, Subjects.PaymentRefunded],
    listeners: (context) => {
      const { sweeper } = partsOf(context);
      return [
        new OrderCreatedListener(context.client, context.database, context.logger),
        new OrderCancelledListener(context.client, context.database, () => sweeper.kick(), context.logger),
        new OrderCompletedListener(context.client, context.database, context.logger),
      ];
    },
    workers: (context) => [partsOf(context).sweeper],
  });
}

/** The payments service as `npm start` and Kubernetes run it. */
export const paymentsService = createPaymentsService();

export default paymentsService;
