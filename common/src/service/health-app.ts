import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { healthRoutes, type HealthChecks } from '../http/health-routes';
import { errorHandler } from '../middlewares/error-handler';
import { notFound } from '../middlewares/not-found';

/** The app of a service without an HTTP API: `/healthz`, `/readyz`, and 404 for the rest. */
export function healthApp(logger: Logger, health: HealthChecks): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(healthRoutes(health));
  app.all('/{*splat}', notFound);
  app.use(errorHandler(logger));
  return app;
}
