import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import { currentUser } from '../middlewares/current-user';
import { errorHandler } from '../middlewares/error-handler';
import { notFound } from '../middlewares/not-found';
import { allowedMethods, CATCH_ALL } from './allowed-methods';
import { sessionCookie, type SessionCookieOptions } from '../session/session-cookie';
import { healthRoutes, type HealthChecks } from './health-routes';
import { jsonBody } from './json-body';
import { inspectBodyText } from '../middlewares/well-formed-body';

/** What every HTTP service shares: its logger, session settings, health checks and its own routes. */
export interface ServiceAppOptions {
  logger: Logger;
  jwtKey: string;
  session: SessionCookieOptions;
  health: HealthChecks;
  /** Mounts the service's own routers. */
  routes: (app: Express) => void;
  /**
   * How many proxies stand in front and append to X-Forwarded-For (`TRUST_PROXY_HOPS`): the
   * client's address is the entry that many places from the right. 1 by default: the
   * ingress controller, or the local edge.
   */
  trustProxyHops?: number;
}

/** Replaces Express 5's `req.query` getter (a parse per read) with its value, parsed once. */
function parseQueryOnce(req: Request, _res: Response, next: NextFunction): void {
  Object.defineProperty(req, 'query', { value: req.query, writable: true, configurable: true, enumerable: true });
  next();
}

/**
 * Builds a service's Express app the same way for every service: behind `trustProxyHops`
 * proxies, security headers (helmet), JSON bodies up to 100 kB of UTF-8 nested at most 32
 * deep (their strings are checked by `validateRequest`), the session cookie and current
 * user, health routes, `OPTIONS` answered with
 * every allowed method, the service's routes, then 404 and the contract's error handler.
 * Never listens.
 */
export function buildServiceApp({
  logger,
  jwtKey,
  session,
  health,
  routes,
  trustProxyHops = 1,
}: ServiceAppOptions): Express {
  const app = express();
  // Exactly the hops in front: `true` would believe whatever X-Forwarded-For a client sends.
  app.set('trust proxy', trustProxyHops);
  app.disable('x-powered-by');
  // `limit[]=1` and `limit[a]=1` arrive as the array and object they are, which a parameter's
  // own check refuses (400); Express 5's default parser would call them `limit[]` and
  // `limit[a]`, unknown names quietly ignored.
  app.set('query parser', 'extended');
  // Express 5 parses the query string again on every read of `req.query`, and a route's
  // checks read it once per parameter or more: parsed once, it is kept for the request.
  app.use(parseQueryOnce);
  // The API answers JSON only: nothing in an answer may run, be framed or leak the referrer.
  app.use(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    }),
  );
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
  app.use(jsonBody);
  app.use(inspectBodyText);
  app.use(sessionCookie(session));
  app.use(currentUser(jwtKey));
  app.use(allowedMethods(app));
  routes(app);
  app.all(CATCH_ALL, notFound);
  app.use(errorHandler(logger));
  return app;
}
