import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import { currentUser } from '../middlewares/current-user';
import { errorHandler } from '../middlewares/error-handler';
import { notFound } from '../middlewares/not-found';
import { sessionCookie, type SessionCookieOptions } from '../session/session-cookie';
import { healthRoutes, type HealthChecks } from './health-routes';

/** What every HTTP service shares: its logger, session settings, health checks and its own routes. */
export interface ServiceAppOptions {
  logger: Logger;
  jwtKey: string;
  session: SessionCookieOptions;
  health: HealthChecks;
  /** Mounts the service's own routers. */
  routes: (app: Express) => void;
}

/** The largest JSON body a route accepts (the contract's 413 threshold). */
export const BODY_LIMIT = '100kb';

/**
 * Builds a service's Express app the same way for every service: behind a proxy, JSON
 * bodies up to 100 kB, the session cookie and current user, health routes, the service's
 * routes, then 404 and the contract's error handler. Never listens.
 */
export function buildServiceApp({ logger, jwtKey, session, health, routes }: ServiceAppOptions): Express {
  const app = express();
  // The ingress (or the local gateway) terminates the client connection.
  app.set('trust proxy', true);
  app.disable('x-powered-by');
  app.use(
    pinoHttp({
      logger,
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(healthRoutes(health));
  app.use(express.json({ limit: BODY_LIMIT }));
  app.use(sessionCookie(session));
  app.use(currentUser(jwtKey));
  routes(app);
  app.all('/{*splat}', notFound);
  app.use(errorHandler(logger));
  return app;
}
