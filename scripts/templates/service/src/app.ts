import type { Express } from 'express';
import type { Database } from '@ticketing/common/db';
import { buildServiceApp } from '@ticketing/common/http';
import type { Logger } from '@ticketing/common/service';
import type { Schema } from './db/schema';

/** What the app is built from; the service runner provides the real ones, tests their own. */
export interface AppDeps {
  database: Database<Schema>;
  logger: Logger;
  jwtKey: string;
  cookieSecure: boolean;
  /** Proxies in front that append to X-Forwarded-For (`TRUST_PROXY_HOPS`); 1 by default. */
  trustProxyHops?: number;
  readiness?: () => Promise<Record<string, unknown>>;
}

/** Builds the __NAME__ service's Express app. It never listens. */
export function buildApp({ database, logger, jwtKey, cookieSecure, readiness, trustProxyHops }: AppDeps): Express {
  return buildServiceApp({
    trustProxyHops,
    logger,
    jwtKey,
    session: { secure: cookieSecure, maxAgeSeconds: 86_400 },
    health: { database: () => database.ping(), report: readiness },
    routes: (app) => {
      app.get('/api/__NAME__', (req, res) => {
        res.send({ service: '__NAME__', signedIn: Boolean(req.currentUser) });
      });
    },
  });
}
