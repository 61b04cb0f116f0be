import type { RequestListener } from 'node:http';
import type { NatsConnection } from '@nats-io/transport-node';
import type { z } from 'zod';
import type { Logger } from 'pino';
import type { Database } from '../db/open-database';
import type { Event } from '../events/event-contracts';
import type { Listener } from '../events/listener';
import type { Subjects } from '../events/subjects';
import type { NatsWrapper } from '../nats/nats-wrapper';
import type { ServiceMetrics } from '../telemetry/metrics';

/** A publishing service's outbox, as its parts may use it. */
export interface OutboxHandle {
  /**
   * Publishes now and resolves true once every event in `eventIds` is on the bus; false at
   * once while the bus is away, or after `timeoutMs` (2 s). The events stay queued either way.
   */
  published(eventIds: readonly string[], timeoutMs?: number): Promise<boolean>;
}

/** What a service's parts are built from. */
export interface ServiceContext<TSchema extends Record<string, unknown>, TConfig> {
  name: string;
  config: Readonly<TConfig>;
  logger: Logger;
  database: Database<TSchema>;
  /** The service's connection to the bus; `client` throws until it has connected. */
  nats: NatsWrapper;
  /** The outbox of a service that publishes; undefined otherwise. */
  outbox?: OutboxHandle;
  /** Everything `/readyz` reports besides the database: NATS, the outbox, terminated events, workers. */
  readiness: () => Promise<Record<string, unknown>>;
  /** Its Prometheus metrics (`GET /metrics`). */
  metrics: ServiceMetrics;
}

/** The context the app, listeners and workers get: the service's parts, built once, beside the rest. */
export type PartsContext<TSchema extends Record<string, unknown>, TConfig, TParts> = ServiceContext<
  TSchema,
  TConfig
> & { parts: TParts };

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
export interface ServiceDefinition<
  TSchema extends Record<string, unknown>,
  TConfigSchema extends z.ZodObject,
  TParts = undefined,
> {
  /** The service's name: its logger, its data folder under `DATA_DIR`. */
  name: string;
  /** Its environment, parsed once at start. */
  config: TConfigSchema;
  database: { schema: TSchema; migrationsFolder: string };
  /**
   * Builds the service's parts (its domain services, repositories, providers) once per
   * start; the app, the listeners and the workers all receive the same ones as `parts`.
   */
  parts?: (context: ServiceContext<TSchema, z.output<TConfigSchema>>) => TParts;
  /** The HTTP app; without one the service answers only `/healthz` and `/readyz`. */
  app?: (context: PartsContext<TSchema, z.output<TConfigSchema>, TParts>) => RequestListener;
  /** The subjects its outbox may hold; the relay publishes nothing else. */
  publishes?: readonly Subjects[];
  /** Its listeners, made once NATS is connected. */
  listeners?: (
    context: PartsContext<TSchema, z.output<TConfigSchema>, TParts> & { client: NatsConnection },
  ) => Listener<Event>[];
  /** Background work, started once the database is open. */
  workers?: (context: PartsContext<TSchema, z.output<TConfigSchema>, TParts>) => Worker[];
}

/** Declares a service (an identity function that keeps the types). */
export function defineService<
  TSchema extends Record<string, unknown>,
  TConfigSchema extends z.ZodObject,
  TParts = undefined,
>(definition: ServiceDefinition<TSchema, TConfigSchema, TParts>): ServiceDefinition<TSchema, TConfigSchema, TParts> {
  return definition;
}
