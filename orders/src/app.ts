import type { Express } from 'express';
import type { Database } from '@ticketing/common/db';
import { buildServiceApp } from '@ticketing/common/http';
import type { Logger } from '@ticketing/common/service';
import type { OrdersSchema } from './db/schema';
import type { OrderService } from './orders/order-service';
import { cancelOrderRouter } from './routes/cancel-order';
import { listOrdersRouter } from './routes/list-orders';
import { newOrderRouter } from './routes/new-order';
import { showOrderRouter } from './routes/show-order';

/** What the orders app is built from; the service runner provides the real ones, tests their own. */
export interface OrdersAppDeps {
  database: Database<OrdersSchema>;
  service: OrderService;
  logger: Logger;
  jwtKey: string;
  cookieSecure: boolean;
  readiness?: () => Promise<Record<string, unknown>>;
}

/** Builds the orders service's Express app. It never listens. */
export function buildApp(deps: OrdersAppDeps): Express {
  const { service } = deps;
  return buildServiceApp({
    logger: deps.logger,
    jwtKey: deps.jwtKey,
    // orders only reads the session; auth sets it.
    session: { secure: deps.cookieSecure, maxAgeSeconds: 86_400 },
    health: { database: () => deps.database.ping(), report: deps.readiness },
    routes: (app) => {
      app.use(newOrderRouter(service));
      app.use(listOrdersRouter(service));
      app.use(showOrderRouter(service));
      app.use(cancelOrderRouter(service));
    },
  });
}
