import type { Express } from 'express';
import request from 'supertest';
import type { Database, Logger } from '@ticketing/common';
import { composeTestService, createTestDatabase, TEST_JWT_KEY } from '@ticketing/common/testing';
import type { AuthSchema } from '../src/db/schema';
import { authService } from '../src/service';

export const JWT_KEY = TEST_JWT_KEY;
export const DAY = 86_400;

/** auth built from its definition, as `npm start` runs it (COOKIE_SECURE=false), on a fresh, migrated database. */
export async function startAuth(
  overrides: {
    cookieSecure?: boolean;
    jwtExpiresInSeconds?: number;
    logger?: Logger;
    database?: Database<AuthSchema>;
  } = {},
) {
  const database: Database<AuthSchema> = overrides.database ?? (await createTestDatabase(authService.database));
  const { app } = composeTestService(authService, database, {
    env: {
      COOKIE_SECURE: String(overrides.cookieSecure ?? false),
      JWT_EXPIRES_IN: String(overrides.jwtExpiresInSeconds ?? DAY),
    },
    logger: overrides.logger,
  });
  return { app: app as Express, database };
}

/** Signs up and returns the session cookie, as a browser would keep it. */
export async function signUp(app: Express, email = 'test@test.com', password = 'password123'): Promise<string[]> {
  const response = await request(app).post('/api/users/signup').send({ email, password }).expect(201);
  return sessionCookie(response.get('Set-Cookie'));
}

/** Just the `name=value` part of each Set-Cookie, as a browser sends it back. */
export function sessionCookie(setCookie: string[] | undefined): string[] {
  expect(setCookie).toBeDefined();
  return setCookie!.map((cookie) => cookie.split(';')[0]!);
}
