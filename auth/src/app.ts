import type { Express } from 'express';
import type { Database } from '@ticketing/common/db';
import { buildServiceApp } from '@ticketing/common/http';
import type { Logger } from '@ticketing/common/service';
import type { AuthSchema } from './db/schema';
import { UserRepository } from './db/user-repository';
import { currentUserRouter } from './routes/current-user';
import { signinRouter } from './routes/signin';
import { signoutRouter } from './routes/signout';
import { signupRouter } from './routes/signup';
import { AccountService } from './users/account-service';

/** What the auth app is built from; the service runner provides the real ones, tests their own. */
export interface AuthAppDeps {
  database: Database<AuthSchema>;
  logger: Logger;
  jwtKey: string;
  jwtExpiresInSeconds: number;
  cookieSecure: boolean;
}

/** Builds the auth service's Express app. It never listens. */
export function buildApp({ database, logger, jwtKey, jwtExpiresInSeconds, cookieSecure }: AuthAppDeps): Express {
  const deps = { accounts: new AccountService(new UserRepository(database.db)), jwtKey, jwtExpiresInSeconds };
  return buildServiceApp({
    logger,
    jwtKey,
    session: { secure: cookieSecure, maxAgeSeconds: jwtExpiresInSeconds },
    health: { database: () => database.ping() },
    routes: (app) => {
      app.use(signupRouter(deps));
      app.use(signinRouter(deps));
      app.use(signoutRouter());
      app.use(currentUserRouter());
    },
  });
}
