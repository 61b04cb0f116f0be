import type { Express } from 'express';
import request from 'supertest';
import { createLogger, type Database, type Logger } from '@ticketing/common';
import { createTestDatabase } from '@ticketing/common/testing';
import { buildApp } from '../src/app';
import { migrationsFolder } from '../src/db/migrations-folder';
import { schema, type AuthSchema } from '../src/db/schema';

export const JWT_KEY = 'test-jwt-key-0123456789abcdef';
export const DAY = 86_400;

/** A real auth app on a fresh, migrated database, as `npm start` configures it (COOKIE_SECURE=false). */
export async function startAuth(
  overrides: {
    cookieSecure?: boolean;
    jwtExpiresInSeconds?: number;
    logger?: Logger;
    database?: Database<AuthSchema>;
  } = {},
) {
  const database: Database<AuthSchema> = overrides.database ?? (await createTestDatabase({ schema, migrationsFolder }));
  const app: Express = buildApp({
    database,
    logger: overrides.logger ?? createLogger('auth-test', 'silent'),
    jwtKey: JWT_KEY,
    jwtExpiresInSeconds: overrides.jwtExpiresInSeconds ?? DAY,
    cookieSecure: overrides.cookieSecure ?? false,
  });
  return { app, database };
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
