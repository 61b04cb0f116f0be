import type { Express } from 'express';
import { createLogger } from '@ticketing/common/service';
import { createTestDatabase, TEST_JWT_KEY } from '@ticketing/common/testing';
import { buildApp as buildAuthApp } from '../../auth/src/app';
import { migrationsFolder as authMigrations } from '../../auth/src/db/migrations-folder';
import { schema as authSchema } from '../../auth/src/db/schema';
import { buildApp as buildTicketsApp } from '../../tickets/src/app';
import { migrationsFolder as ticketsMigrations } from '../../tickets/src/db/migrations-folder';
import { schema as ticketsSchema } from '../../tickets/src/db/schema';

const logger = createLogger('openapi-test', 'silent');

/** Every service's real app on its own fresh database, and one whose database is gone (for the 503s). */
export interface ServiceApps {
  auth: Express;
  tickets: Express;
  authDown: Express;
  ticketsDown: Express;
  close(): Promise<void>;
}

export async function startServiceApps(): Promise<ServiceApps> {
  const authDb = await createTestDatabase({ schema: authSchema, migrationsFolder: authMigrations });
  const ticketsDb = await createTestDatabase({ schema: ticketsSchema, migrationsFolder: ticketsMigrations });
  const authGone = await createTestDatabase({ schema: authSchema, migrationsFolder: authMigrations });
  const ticketsGone = await createTestDatabase({ schema: ticketsSchema, migrationsFolder: ticketsMigrations });
  await authGone.close();
  await ticketsGone.close();
  const auth = (database: typeof authDb) =>
    buildAuthApp({ database, logger, jwtKey: TEST_JWT_KEY, jwtExpiresInSeconds: 86_400, cookieSecure: false });
  const tickets = (database: typeof ticketsDb) =>
    buildTicketsApp({ database, logger, jwtKey: TEST_JWT_KEY, cookieSecure: false });
  return {
    auth: auth(authDb),
    tickets: tickets(ticketsDb),
    authDown: auth(authGone),
    ticketsDown: tickets(ticketsGone),
    async close() {
      await authDb.close();
      await ticketsDb.close();
    },
  };
}
