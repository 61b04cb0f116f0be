import type { Express } from 'express';
import type { Database } from '@ticketing/common/db';
import { buildServiceApp } from '@ticketing/common/http';
import type { Logger } from '@ticketing/common/service';
import type { AuthSchema } from './db/schema';
import { AttemptRepository } from './db/attempt-repository';
import { UserRepository } from './db/user-repository';
import { currentUserRouter } from './routes/current-user';
import { signinRouter } from './routes/signin';
import { signoutRouter } from './routes/signout';
import { signupRouter } from './routes/signup';
import { AttemptThrottle, type ThrottleRules } from './throttle/attempt-throttle';
import { AccountService } from './users/account-service';

/** What the auth app is built from; the service runner provides the real ones, tests their own. */
export interface AuthAppDeps {
  database: Database<AuthSchema>;
  logger: Logger;
  jwtKey: string;
  jwtExpiresInSeconds: number;
  cookieSecure: boolean;
  /** Proxies in front that append to X-Forwarded-For (`TRUST_PROXY_HOPS`); 1 by default. */
  trustProxyHops?: number;
  /** The sign-in and sign-up limits; production's by default. */
  throttleRules?: ThrottleRules;
}

/** Builds the auth service's Express app. It never listens. */
export function buildApp({
  database,
  logger,
  jwtKey,
  jwtExpiresInSeconds,
  cookieSecure,
  trustProxyHops,
  throttleRules,
}: AuthAppDeps): Express {
  const deps = {
    accounts: new AccountService(new UserRepository(database.db)),
    jwtKey,
    jwtExpiresInSeconds,
    throttle: new AttemptThrottle(new AttemptRepository(database.db), throttleRules),
    logger,
  };
  return buildServiceApp({
    logger,
    jwtKey,
    trustProxyHops,
    session: { secure: cookieSecure, maxAgeSeconds: jwtExpiresInSeconds },
    health: { database: () => database.ping() },
    routes: (app) => {
      // Session answers are for one visitor at one moment: no cache may keep them.
      app.use('/api/users', (_req, res, next) => {
        res.set('Cache-Control', 'no-store');
        next();
      });
      app.use(signupRouter(deps));
      app.use(signinRouter(deps));
      app.use(signoutRouter());
      app.use(currentUserRouter());
    },
  });
}
