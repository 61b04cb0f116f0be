import type { RequestListener } from 'node:http';
import { sql } from 'drizzle-orm';
import type { NatsConnection } from '@nats-io/transport-node';
import type { z } from 'zod';
import type { Event } from '../events/event-contracts';
import type { Listener } from '../events/listener';
import { healthApp } from './health-app';
import { inboxPruner } from './inbox-pruner';
import type { PartsContext, ServiceContext, ServiceDefinition, Worker } from './service-definition';

/** A service put together from its definition: its parts built once and handed to all the rest. */
export interface ComposedService<TSchema extends Record<string, unknown>, TConfig, TParts> {
  context: PartsContext<TSchema, TConfig, TParts>;
  /** What listens: its app, with `GET /metrics` answered and every request timed in front of it. */
  app: RequestListener;
  /** Its own HTTP app (only `/healthz` and `/readyz` for a service without one). */
  handler: RequestListener;
  /** Its workers, the inbox's pruner included for a service that listens; not started. */
  workers: Worker[];
  /** Makes its listeners on a connection to the bus; not listening yet. */
  listeners(client: NatsConnection): Listener<Event>[];
}

/**
 * The one place a definition's pieces are called: `startService` runs what this builds, and
 * a test that drives a service without a bus (the API document's) builds it the same way,
 * so nothing is wired twice.
 */
export function composeService<TSchema extends Record<string, unknown>, TConfigSchema extends z.ZodObject, TParts>(
  definition: ServiceDefinition<TSchema, TConfigSchema, TParts>,
  base: ServiceContext<TSchema, z.output<TConfigSchema>>,
): ComposedService<TSchema, z.output<TConfigSchema>, TParts> {
  const context: PartsContext<TSchema, z.output<TConfigSchema>, TParts> = {
    ...base,
    parts: definition.parts?.(base) as TParts,
  };
  const { database, logger, readiness, metrics } = context;
  if (definition.listeners) {
    metrics.watchInbox(async () => {
      const result = (await database.db.execute(sql`select count(*)::int as n from inbox`)) as unknown as {
        rows: { n: number }[];
      };
      return Number(result.rows[0]?.n ?? 0);
    });
  }
  const workers = [
    ...(definition.workers?.(context) ?? []),
    ...(definition.listeners ? [inboxPruner(database, logger)] : []),
  ];
  const handler =
    definition.app?.(context) ?? healthApp(logger, { database: () => database.ping(), report: readiness });
  return {
    context,
    app: metrics.instrument(handler),
    handler,
    workers,
    listeners: (client) => definition.listeners?.({ ...context, client }) ?? [],
  };
}
