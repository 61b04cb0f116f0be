import type { Express } from 'express';
import type { Database } from '@ticketing/common/db';
import { buildServiceApp } from '@ticketing/common/http';
import type { Logger } from '@ticketing/common/service';
import type { PaymentsSchema } from './db/schema';
import type { PaymentService } from './payments/payment-service';
import { listPaymentsRouter } from './routes/list-payments';
import { newPaymentRouter } from './routes/new-payment';

/** What the payments app is built from; the service runner provides the real ones, tests their own. */
export interface PaymentsAppDeps {
  database: Database<PaymentsSchema>;
  service: PaymentService;
  logger: Logger;
  jwtKey: string;
  cookieSecure: boolean;
  readiness?: () => Promise<Record<string, unknown>>;
}

/** Builds the payments service's Express app. It never listens. */
export function buildApp(deps: PaymentsAppDeps): Express {
  return buildServiceApp({
    logger: deps.logger,
    jwtKey: deps.jwtKey,
    // payments only reads the session; auth sets it.
    session: { secure: deps.cookieSecure, maxAgeSeconds: 86_400 },
    health: { database: () => deps.database.ping(), report: deps.readiness },
    routes: (app) => {
      app.use(newPaymentRouter(deps.service));
      app.use(listPaymentsRouter(deps.service));
    },
  });
}
