import path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import type { Logger } from 'pino';
import { ConfigError, parseConfig } from '../config/parse-config';
import { openDatabase, type Database } from '../db/open-database';
import type { Event } from '../events/event-contracts';
import type { Listener } from '../events/listener';
import { createLogger } from '../logger/logger';
import { inboxPrefix } from '../../lib/bus-permissions.cjs';
import { natsCredentialsFrom } from '../nats/credentials';
import { NatsWrapper, type NatsConnectOptions } from '../nats/nats-wrapper';
import { OutboxRelay } from '../outbox/outbox-relay';
import { publishThrough } from '../outbox/publish-through';
import { ServiceMetrics } from '../telemetry/metrics';
import { composeService, type ComposedService } from './compose-service';
import type { PartsContext, ServiceContext, ServiceDefinition, Worker } from './service-definition';
import { handleShutdown, listen, runSteps } from './shutdown';
import { isTracing } from '../telemetry/trace';
import { stopTracing, tracingOffReason } from '../telemetry/start-tracing';

/** The keys of a service's config the runner itself reads. */
interface RunnerConfig {
  PORT: number;
  HOST?: string;
  DATABASE_URL?: string;
  DATA_DIR?: string;
  LOG_LEVEL: string;
  NATS_URL?: string;
  NATS_STREAM?: string;
  NATS_CLIENT_ID?: string;
  NATS_STREAM_REPLICAS?: number;
  NATS_NKEY_SEED?: string;
  NATS_NKEY_SEED_FILE?: string;
}

/** Overrides for running a service inside another program (the tests). */
export interface StartServiceOptions<TSchema extends Record<string, unknown>> {
  /** The environment to parse; `process.env` by default. */
  env?: Record<string, string | undefined>;
  /** An open database to use instead of opening one; the caller closes it. */
  database?: Database<TSchema>;
  logger?: Logger;
  nats?: NatsConnectOptions;
  /** Milliseconds between the outbox relay's sweeps. */
  relayIntervalMs?: number;
  /** Called when the service cannot go on (NATS cannot be set up); logs by default. */
  onFatal?: (error: unknown) => void;
  /** False: `/metrics` leaves out the process' own figures (tests start services by the dozen in one process). */
  processMetrics?: boolean;
}

/** A started service. */
export interface RunningService<TSchema extends Record<string, unknown>, TConfig, TParts = unknown> {
  context: PartsContext<TSchema, TConfig, TParts>;
  server: Server;
  /** The port it listens on (useful with PORT=0). */
  port: number;
  relay?: OutboxRelay;
  /** Its listeners, once NATS is connected. */
  listeners(): Listener<Event>[];
  /** Resolves once NATS is connected and every listener listens (at once for a service off the bus). */
  onBus: Promise<void>;
  /** Stops it in order: HTTP, workers, listeners, relay, NATS, database. Idempotent. */
  stop(): Promise<void>;
}

const LISTEN_RETRY_MS = 1_000;

/**
 * Starts a service: parses its config, opens its database (PGlite under `DATA_DIR/<name>`
 * unless `DATABASE_URL` is set), listens for HTTP, starts its workers and, when it is on
 * the bus, its outbox relay; connects to NATS in the background (a service serves and
 * queues events while NATS is away) and then starts its listeners.
 */
export async function startService<
  TSchema extends Record<string, unknown>,
  TConfigSchema extends z.ZodObject,
  TParts = undefined,
>(
  definition: ServiceDefinition<TSchema, TConfigSchema, TParts>,
  options: StartServiceOptions<TSchema> = {},
): Promise<RunningService<TSchema, z.output<TConfigSchema>, TParts>> {
  const { name } = definition;
  const config = parseConfig(definition.config, options.env ?? process.env);
  const settings = config as unknown as RunnerConfig;
  const logger = options.logger ?? createLogger(name, settings.LOG_LEVEL);
  const onBus = Boolean(definition.publishes?.length || definition.listeners);
  if (onBus && !settings.NATS_URL) throw new ConfigError([`NATS_URL is required: ${name} publishes or listens`]);
  const natsCredentials = onBus ? natsCredentialsFrom(settings) : undefined;

  if (!options.database && !settings.DATABASE_URL && !settings.DATA_DIR) {
    logger.warn(`neither DATABASE_URL nor DATA_DIR is set: ${name} keeps its data in memory and loses it on restart`);
  }
  const database =
    options.database ??
    (await openDatabase({
      ...definition.database,
      url: settings.DATABASE_URL,
      dataDir: settings.DATA_DIR && path.join(settings.DATA_DIR, name),
      owner: name,
      logger,
      releaseStartupMemory: true,
    }));

  const nats = new NatsWrapper();
  const metrics = new ServiceMetrics(name, { processMetrics: options.processMetrics });
  const relay = definition.publishes?.length
    ? new OutboxRelay({
        database,
        logger,
        intervalMs: options.relayIntervalMs,
        isReady: () => nats.isConnected,
        publish: publishThrough(nats, definition.publishes),
        onPublished: (subject) => metrics.published(subject),
      })
    : undefined;
  if (relay) metrics.watchOutbox(() => relay.stats());
  const listeners: Listener<Event>[] = [];
  let workers: Worker[] = [];

  const readiness = async (): Promise<Record<string, unknown>> => {
    const facts: Record<string, unknown> = {};
    if (onBus) facts.nats = nats.state;
    if (relay) Object.assign(facts, await relay.counts().catch(() => ({ outboxPending: null, outboxFailed: null })));
    if (definition.listeners) facts.eventsTerminated = listeners.reduce((sum, l) => sum + l.terminated, 0);
    for (const worker of workers) if (worker.report) Object.assign(facts, await worker.report().catch(() => ({})));
    return facts;
  };
  const base: ServiceContext<TSchema, z.output<TConfigSchema>> = {
    name,
    config,
    logger,
    database,
    nats,
    outbox: relay && { published: (ids, timeoutMs) => relay.published(ids, timeoutMs) },
    readiness,
    metrics,
  };
  let composed: ComposedService<TSchema, z.output<TConfigSchema>, TParts>;
  try {
    composed = composeService(definition, base);
  } catch (error) {
    if (!options.database) await database.close();
    throw error;
  }
  const { context, app } = composed;
  workers = composed.workers;
  let server: Server;
  try {
    server = await listen(app, settings.PORT, settings.HOST);
  } catch (error) {
    if (!options.database) await database.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, host: settings.HOST ?? '*' }, `${name} listening`);

  relay?.start();
  for (const worker of workers) worker.start();

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= runSteps(logger, [
      { name: 'http', run: () => closeServer(server) },
      ...workers.map((worker) => ({ name: worker.name, run: () => worker.stop() })),
      { name: 'listeners', run: async () => void (await Promise.all(listeners.map((l) => l.close()))) },
      ...(relay ? [{ name: 'outbox relay', run: () => relay.stop() }] : []),
      { name: 'nats', run: () => nats.close() },
      ...(options.database ? [] : [{ name: 'database', run: () => database.close() }]),
    ]));

  let joined: Promise<void> = Promise.resolve();
  if (onBus) {
    const { NATS_STREAM = 'ticketing', NATS_CLIENT_ID = name, NATS_URL = '' } = settings;
    joined = (async () => {
      await nats.connect(NATS_STREAM, NATS_CLIENT_ID, NATS_URL, {
        logger,
        streamReplicas: settings.NATS_STREAM_REPLICAS,
        credentials: natsCredentials,
        // Its user may subscribe to its own inbox only.
        inboxPrefix: inboxPrefix(name),
        ...options.nats,
      });
      relay?.kick();
      const made = composed.listeners(nats.client);
      for (const listener of made) {
        await startListening(listener, logger, () => stopping !== undefined);
        listeners.push(listener);
        metrics.watch(listener);
      }
    })();
    joined.catch((error: unknown) => {
      if (stopping) return;
      logger.fatal({ err: error }, 'cannot set up NATS');
      options.onFatal?.(error);
    });
  }

  return { context, server, port, relay, listeners: () => listeners, onBus: joined, stop };
}

/** Keeps trying to start a listener while the bus is reachable but not yet ready (e.g. a cluster electing). */
async function startListening(listener: Listener<Event>, logger: Logger, stopped: () => boolean): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await listener.listen();
      return;
    } catch (error) {
      if (stopped() || attempt >= 30) throw error;
      logger.warn({ err: error, durable: listener.durableName, attempt }, 'cannot start a listener yet; retrying');
      await new Promise((resolve) => setTimeout(resolve, LISTEN_RETRY_MS));
    }
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/**
 * Runs a service as its process's main program: starts it, stops it in order on
 * SIGTERM/SIGINT (exit 0, also while it is still starting) or after an unhandled error
 * (exit 1). A bad environment or a failed start prints why and exits 1.
 */
export function runService<TSchema extends Record<string, unknown>, TConfigSchema extends z.ZodObject, TParts>(
  definition: ServiceDefinition<TSchema, TConfigSchema, TParts>,
): void {
  // Its data (the embedded database's files) is the service's alone, whatever umask it inherits.
  process.umask(0o077);
  let logger: Logger = createLogger(definition.name);
  const started = startService(definition, { onFatal: () => void shutdown('NATS setup failed', 1) });
  const shutdown = handleShutdown({
    logger: () => logger,
    stop: async () => {
      const service = await started.catch(() => undefined);
      await service?.stop();
      // The spans of the last moments, the stop's included.
      await stopTracing().catch(() => undefined);
    },
  });
  started.then(
    (service) => {
      logger = service.context.logger;
      if (isTracing()) {
        const endpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
        logger.info({ endpoint }, 'sending traces over OTLP');
      } else {
        logger.info({ reason: tracingOffReason(process.env) ?? 'not started by the entry point' }, 'tracing off');
      }
    },
    (error: unknown) => {
      // Config errors already name every bad variable; print them plainly for a person.
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
