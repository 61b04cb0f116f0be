import { defineService } from '@ticketing/common/service';
import { buildApp } from './app';
import { configSchema } from './config';
import { migrationsFolder } from './db/migrations-folder';
import { AttemptRepository } from './db/attempt-repository';
import { schema } from './db/schema';
import { attemptPruner } from './throttle/attempt-pruner';

/** The auth service: accounts and sessions. It is not on the bus. */
export const authService = defineService({
  name: 'auth',
  config: configSchema,
  database: { schema, migrationsFolder },
  app: ({ database, logger, config }) =>
    buildApp({
      database,
      logger,
      jwtKey: config.JWT_KEY,
      jwtExpiresInSeconds: config.JWT_EXPIRES_IN,
      cookieSecure: config.COOKIE_SECURE,
      trustProxyHops: config.TRUST_PROXY_HOPS,
      throttleRules: {
        signinAccount: config.THROTTLE_SIGNIN_PER_ACCOUNT,
        signinAddress: config.THROTTLE_SIGNIN_PER_ADDRESS,
        signupAccount: config.THROTTLE_SIGNUP_PER_EMAIL,
        signupAddress: config.THROTTLE_SIGNUP_PER_ADDRESS,
      },
    }),
  workers: ({ database, logger }) => [attemptPruner(new AttemptRepository(database.db), logger)],
});

export default authService;
