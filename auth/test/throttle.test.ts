import pino from 'pino';
import request from 'supertest';
import { openDatabase } from '@ticketing/common/db';
import { migrationsFolder } from '../src/db/migrations-folder';
import { schema } from '../src/db/schema';
import { signUp, startAuth } from './auth-app';

let ctx: Awaited<ReturnType<typeof startAuth>>;
const logLines: string[] = [];

beforeAll(async () => {
  ctx = await startAuth({ logger: pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }) });
  await signUp(ctx.app, 'victim@test.com', 'the-right-password');
});

afterAll(async () => {
  await ctx.database.close();
});

/** A sign-in from `address` as the edge reports it (one trusted hop: the last X-Forwarded-For entry). */
function signIn(email: string, password: string, forwardedFor = '203.0.113.7') {
  return request(ctx.app).post('/api/users/signin').set('X-Forwarded-For', forwardedFor).send({ email, password });
}

describe('sign-in throttling per account', () => {
  it('after 10 failures answers 429 with Retry-After, even to the right password, and leaves other accounts alone', async () => {
    await signUp(ctx.app, 'target@test.com', 'the-right-password');
    for (let i = 0; i < 10; i++) {
      // Each from another address: the account's own limit is what stops them.
      expect((await signIn('target@test.com', `guess-${i}`, `198.51.100.${i}`)).status).toBe(400);
    }

    const blocked = await signIn('target@test.com', 'the-right-password', '198.51.100.99');

    expect(blocked.status).toBe(429);
    const retryAfter = Number(blocked.get('Retry-After'));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(blocked.body).toEqual({ errors: [{ message: `Too many attempts, try again in ${retryAfter} seconds` }] });
    expect((await signIn('victim@test.com', 'the-right-password', '198.51.100.99')).status).toBe(200);
  }, 60_000);

  it('forgets the failures once the right password is given', async () => {
    await signUp(ctx.app, 'forgetful@test.com', 'the-right-password');
    for (let i = 0; i < 9; i++) await signIn('forgetful@test.com', 'wrong', `192.0.2.${i}`);
    expect((await signIn('forgetful@test.com', 'the-right-password')).status).toBe(200);

    for (let i = 0; i < 9; i++) expect((await signIn('forgetful@test.com', 'wrong', `192.0.2.${i}`)).status).toBe(400);
  }, 60_000);

  it('logs each failure with the account and address, never the password', async () => {
    await signIn('victim@test.com', 'a-secret-guess', '198.51.100.200');

    const failure = logLines.map((line) => JSON.parse(line)).find((entry) => entry.ip === '198.51.100.200');
    expect(failure).toMatchObject({ msg: 'sign-in failed: invalid credentials', email: 'victim@test.com' });
    expect(logLines.join('\n')).not.toContain('a-secret-guess');
  });
});

describe('sign-in throttling per client address', () => {
  it('after 50 failures from one address answers 429, whatever the client puts first in X-Forwarded-For', async () => {
    const responses = [];
    for (let i = 0; i < 51; i++) {
      // A client's own X-Forwarded-For entry comes first; the trusted proxy's is last.
      responses.push((await signIn(`nobody-${i}@test.com`, 'wrong', `10.9.${i}.1, 203.0.113.50`)).status);
    }

    expect(responses.slice(0, 50)).toEqual(Array(50).fill(400));
    expect(responses[50]).toBe(429);
    // Another address is not held back.
    expect((await signIn('nobody-x@test.com', 'wrong', '203.0.113.51')).status).toBe(400);
  }, 120_000);
});

describe('sign-up throttling', () => {
  it('after 5 attempts for one email answers 429 (probing which emails are taken)', async () => {
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      statuses.push(
        (
          await request(ctx.app)
            .post('/api/users/signup')
            .set('X-Forwarded-For', `198.18.0.${i}`)
            .send({ email: 'probe@test.com', password: 'password123' })
        ).status,
      );
    }

    expect(statuses).toEqual([201, 400, 400, 400, 400, 429]);
  }, 60_000);

  it('after 20 sign-ups from one address answers 429', async () => {
    const statuses = [];
    for (let i = 0; i < 21; i++) {
      statuses.push(
        (
          await request(ctx.app)
            .post('/api/users/signup')
            .set('X-Forwarded-For', '198.18.1.1')
            .send({ email: `many-${i}@test.com`, password: 'password123' })
        ).status,
      );
    }

    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(201));
    expect(statuses[20]).toBe(429);
  }, 120_000);
});

describe('replicas', () => {
  it('share the counters through the database', async () => {
    // A second replica: its own app and, on a PostgreSQL server, its own connection pool.
    const url = (ctx.database as { url?: string }).url;
    const database = url ? await openDatabase({ schema, migrationsFolder, url }) : ctx.database;
    const replica = await startAuth({ database });
    try {
      await signUp(ctx.app, 'shared@test.com', 'the-right-password');
      for (let i = 0; i < 10; i++) {
        const app = i % 2 === 0 ? ctx.app : replica.app;
        await request(app).post('/api/users/signin').send({ email: 'shared@test.com', password: 'wrong' });
      }

      const response = await request(replica.app)
        .post('/api/users/signin')
        .send({ email: 'shared@test.com', password: 'the-right-password' });

      expect(response.status).toBe(429);
    } finally {
      if (url) await database.close();
    }
  }, 60_000);
});
