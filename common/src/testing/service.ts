import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { startService, type RunningService } from '../service/run-service';
import type { ServiceDefinition } from '../service/service-definition';
import type { TestNatsServer } from './nats-server';
import { createTestDatabase, type TestDatabase } from './test-database';

/** The JWT key test services sign and verify sessions with. */
export const TEST_JWT_KEY = 'test-jwt-key-0123456789abcdef';

/** A service started for a test: the real runner on a fresh database, on a free port of 127.0.0.1. */
export interface TestService<TSchema extends Record<string, unknown>, TConfig, TParts = unknown> extends RunningService<
  TSchema,
  TConfig,
  TParts
> {
  database: TestDatabase<TSchema>;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Stops the service, then closes its database. */
  close(): Promise<void>;
}

/**
 * Starts a service as `runService` would, on a fresh test database (or `database`, e.g. a
 * second replica's pool on the same server) and, when it is on the bus, on the test server
 * `nats` with its own user's credential (or at a bare URL, without one); resolves once its
 * listeners listen. Logs are silent unless `env.LOG_LEVEL` says.
 */
export async function startTestService<
  TSchema extends Record<string, unknown>,
  TConfigSchema extends z.ZodObject,
  TParts = undefined,
>(
  definition: ServiceDefinition<TSchema, TConfigSchema, TParts>,
  {
    nats,
    env = {},
    database,
    relayIntervalMs = 200,
  }: {
    nats?: Pick<TestNatsServer, 'url' | 'seedOf'> | string;
    env?: Record<string, string | undefined>;
    database?: TestDatabase<TSchema>;
    relayIntervalMs?: number;
  } = {},
): Promise<TestService<TSchema, z.output<TConfigSchema>, TParts>> {
  const db = database ?? (await createTestDatabase(definition.database));
  let service: RunningService<TSchema, z.output<TConfigSchema>, TParts>;
  try {
    service = await startService(definition, {
      env: {
        PORT: '0',
        HOST: '127.0.0.1',
        JWT_KEY: TEST_JWT_KEY,
        LOG_LEVEL: 'silent',
        NATS_URL: typeof nats === 'string' ? nats : nats?.url,
        NATS_NKEY_SEED: typeof nats === 'string' ? undefined : nats?.seedOf(definition.name),
        NATS_CLIENT_ID: `${definition.name}-test-${randomUUID().slice(0, 8)}`,
        ...env,
      },
      database: db,
      nats: { reconnectTimeWait: 100 },
      processMetrics: false,
      relayIntervalMs,
    });
    await service.onBus;
  } catch (error) {
    if (!database) await db.close();
    throw error;
  }
  return {
    ...service,
    database: db,
    url: `http://127.0.0.1:${service.port}`,
    async close() {
      await service.stop();
      if (!database) await db.close();
    },
  };
}
