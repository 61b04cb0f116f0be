import type { Server } from 'node:http';
import { jetstream } from '@nats-io/jetstream';
import type { z } from 'zod';
import type { Logger } from 'pino';
import { parseConfig } from '../config/parse-config';
import type { Database } from '../db/open-database';
import type { EventData } from '../events/event-contracts';
import { publishEvent } from '../events/publisher';
import type { Subjects } from '../events/subjects';
import { createLogger } from '../logger/logger';
import { NatsWrapper } from '../nats/nats-wrapper';
import { composeService } from '../service/compose-service';
import { ServiceMetrics } from '../telemetry/metrics';
import type { ServiceDefinition } from '../service/service-definition';
import { waitForConsumers } from './consumers';
import { startNatsServer, type TestNatsServer } from './nats-server';
import { startTestService, TEST_JWT_KEY, type TestService } from './service';
import { sessionCookie } from './session';
import type { TestDatabase } from './test-database';
import { waitFor } from './wait-for';

/** One service on a nats-server of its own: what a service's test file needs. */
export interface ServiceOnTestBus<TSchema extends Record<string, unknown>, TConfig = unknown, TParts = unknown> {
  /** The listening server, for supertest. */
  app: Server;
  service: TestService<TSchema, TConfig, TParts>;
  database: TestDatabase<TSchema>;
  /** The test's own connection to the bus, not the service's: it may publish any subject and read the stream. */
  nats: NatsWrapper;
  server: TestNatsServer;
  /**
   * Waits until the service has handled every message the stream holds now (its consumers
   * acknowledged them, so what each caused is committed) and its outbox has published every
   * event those changes queued: what the database and the stream say afterwards is all those
   * messages will ever cause, so a test can show that something did not happen.
   */
  settled(): Promise<void>;
  /** Stops the service, the test's connection and the nats-server. */
  close(): Promise<void>;
}

/** Starts `definition` as the service runner does (environment `env` over the test defaults) on a nats-server of its own. */
export async function startOnTestBus<
  TSchema extends Record<string, unknown>,
  TConfigSchema extends z.ZodObject,
  TParts = undefined,
>(
  definition: ServiceDefinition<TSchema, TConfigSchema, TParts>,
  { env = {} }: { env?: Record<string, string> } = {},
): Promise<ServiceOnTestBus<TSchema, z.output<TConfigSchema>, TParts>> {
  const server = await startNatsServer();
  let service: TestService<TSchema, z.output<TConfigSchema>, TParts>;
  try {
    service = await startTestService(definition, { nats: server, env });
  } catch (error) {
    await server.destroy();
    throw error;
  }
  const bus = await server.wrapper();
  return {
    app: service.server,
    service,
    database: service.database,
    nats: bus,
    server,
    async settled() {
      await waitForConsumers(bus.client, { durables: service.listeners().map((listener) => listener.durableName) });
      if (service.relay) {
        const relay = service.relay;
        await waitFor(async () => (await relay.pendingCount()) === 0, {
          message: `${definition.name}'s outbox to empty`,
        });
      }
    },
    async close() {
      await service.close();
      await bus.close();
      await server.destroy();
    },
  };
}

/** The `Cookie` header of a signed-in user, signed with the test services' key. */
export function signin(user: { id?: string; email?: string } = {}): string[] {
  return sessionCookie(TEST_JWT_KEY, user);
}

/** Publishes an event as its owning service would (checked against its contract), through the test's connection. */
export function publish<S extends Subjects>(nats: NatsWrapper, subject: S, data: EventData<S>): Promise<number> {
  return publishEvent(jetstream(nats.client), subject, data);
}

/**
 * A service built from its definition, off the bus, on `database`: its app, its workers (not
 * started) and its listeners (made, never subscribed; a test hands them messages itself).
 * Environment `env` over the test defaults; silent unless `logger` says otherwise.
 */
export function composeTestService<
  TSchema extends Record<string, unknown>,
  TConfigSchema extends z.ZodObject,
  TParts = undefined,
>(
  definition: ServiceDefinition<TSchema, TConfigSchema, TParts>,
  database: Database<TSchema>,
  { env = {}, logger }: { env?: Record<string, string>; logger?: Logger } = {},
) {
  const config = parseConfig(definition.config, {
    JWT_KEY: TEST_JWT_KEY,
    LOG_LEVEL: 'silent',
    // Required of a service on the bus; never connected to here.
    NATS_URL: 'nats://127.0.0.1:4222',
    NATS_CLIENT_ID: `${definition.name}-test`,
    ...env,
  });
  const composed = composeService(definition, {
    name: definition.name,
    config,
    logger: logger ?? createLogger(definition.name, 'silent'),
    database,
    nats: new NatsWrapper(),
    readiness: async () => ({}),
    metrics: new ServiceMetrics(definition.name, { processMetrics: false }),
  });
  // Stopped before they ever start: a kick (a cancellation waking payments' sweep) does nothing.
  for (const worker of composed.workers) void worker.stop();
  // Their connection is only used to subscribe, which nothing does here.
  const noBus = undefined as unknown as Parameters<typeof composed.listeners>[0];
  return { ...composed, listeners: composed.listeners(noBus) };
}
