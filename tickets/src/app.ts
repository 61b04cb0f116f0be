import type { Express } from 'express';
import type { Database } from '@ticketing/common/db';
import { buildServiceApp } from '@ticketing/common/http';
import type { Logger } from '@ticketing/common/service';
import type { TicketsSchema } from './db/schema';
import { listTicketsRouter } from './routes/list-tickets';
import { newTicketRouter } from './routes/new-ticket';
import { showTicketRouter } from './routes/show-ticket';
import { updateTicketRouter } from './routes/update-ticket';
import { withdrawTicketRouter } from './routes/withdraw-ticket';
import { TicketService } from './tickets/ticket-service';

/** What the tickets app is built from; the service runner provides the real ones, tests their own. */
export interface TicketsAppDeps {
  database: Database<TicketsSchema>;
  logger: Logger;
  jwtKey: string;
  cookieSecure: boolean;
  /** Proxies in front that append to X-Forwarded-For (`TRUST_PROXY_HOPS`); 1 by default. */
  trustProxyHops?: number;
  /** Extra state for `/readyz`, e.g. NATS and the outbox backlog. */
  readiness?: () => Promise<Record<string, unknown>>;
}

/** Builds the tickets service's Express app. It never listens. */
export function buildApp({
  database,
  logger,
  jwtKey,
  cookieSecure,
  readiness,
  trustProxyHops,
}: TicketsAppDeps): Express {
  const service = new TicketService(database.db);
  return buildServiceApp({
    logger,
    jwtKey,
    trustProxyHops,
    // tickets only reads the session; auth sets it.
    session: { secure: cookieSecure, maxAgeSeconds: 86_400 },
    health: { database: () => database.ping(), report: readiness },
    routes: (app) => {
      app.use(newTicketRouter(service));
      app.use(listTicketsRouter(service));
      app.use(showTicketRouter(service));
      app.use(updateTicketRouter(service));
      app.use(withdrawTicketRouter(service));
    },
  });
}
