import type { RequestListener } from 'node:http';
import type { NatsConnection } from '@nats-io/transport-node';
import type { z } from 'zod';
import type { Logger } from 'pino';
import type { Database } from '../db/open-database';
import type { Event } from '../events/event-contracts';
import type { Listener } from '../events/listener';
import type { Subjects } from '../events/subjects';
import type { NatsWrapper } from '../nats/nats-wrapper';

/** What a service's parts are built from. */
export interface ServiceContext<TSchema extends Record<string, unknown>, TConfig> {
  name: string;
  config: Readonly<TConfig>;
  logger: Logger;
  database: Database<TSchema>;
  /** The service's connection to the bus; `client` throws until it has connected. */
  nats: NatsWrapper;
  /** Everything `/readyz` reports besides the database: NATS, the outbox, terminated events, workers. */
  readiness: () => Promise<Record<string, unknown>>;
}

/** Something a service runs in the background besides HTTP and listeners, e.g. a poller. */
export interface Worker {
  name: string;
  start(): void;
  /** Stops and waits for the work in flight. */
  stop(): Promise<void>;
  /** Facts for `/readyz`. */
  report?(): Promise<Record<string, unknown>>;
}

/**
 * A service, as `runService` runs it: the few things that differ from one service to the
 * next. Its config schema spreads `baseEnvShape`, and `natsEnvShape` when it is on the bus.
 */
export interface ServiceDefinition<TSchema extends Record<string, unknown>, TConfigSchema extends z.ZodObject> {
  /** The service's name: its logger, its data folder under `DATA_DIR`. */
  name: string;
  /** Its environment, parsed once at start. */
  config: TConfigSchema;
  database: { schema: TSchema; migrationsFolder: string };
  /** The HTTP app; without one the service answers only `/healthz` and `/readyz`. */
  app?: (context: ServiceContext<TSchema, z.output<TConfigSchema>>) => RequestListener;
  /** The subjects its outbox may hold; the relay publishes nothing else. */
  publishes?: readonly Subjects[];
  /** Its listeners, made once NATS is connected. */
  listeners?: (
    context: ServiceContext<TSchema, z.output<TConfigSchema>> & { client: NatsConnection },
  ) => Listener<Event>[];
  /** Background work, started once the database is open. */
  workers?: (context: ServiceContext<TSchema, z.output<TConfigSchema>>) => Worker[];
}

/** Declares a service (an identity function that keeps the types). */
export function defineService<TSchema extends Record<string, unknown>, TConfigSchema extends z.ZodObject>(
  definition: ServiceDefinition<TSchema, TConfigSchema>,
): ServiceDefinition<TSchema, TConfigSchema> {
  return definition;
}
