import jwt from 'jsonwebtoken';
import request from 'supertest';
import { JWT_KEY, sessionCookie, startAuth, signUp } from './auth-app';

let ctx: Awaited<ReturnType<typeof startAuth>>;

beforeAll(async () => {
  ctx = await startAuth();
});

afterAll(async () => {
  await ctx.database.close();
});

/** A session cookie as cookie-session writes it: base64 JSON holding the JWT. */
function cookieWith(token: string): string {
  return `session=${Buffer.from(JSON.stringify({ jwt: token })).toString('base64')}`;
}

async function currentUserWith(cookie: string[] | string | undefined) {
  const call = request(ctx.app).get('/api/users/currentuser');
  if (typeof cookie === 'string') call.set('Cookie', cookie);
  else if (cookie) call.set('Cookie', cookie);
  const response = await call;
  expect(response.status).toBe(200);
  return response.body.currentUser;
}

describe('GET /api/users/currentuser', () => {
  it('without a cookie, responds with currentUser null', async () => {
    expect(await currentUserWith(undefined)).toBeNull();
  });

  it('after sign-up, responds with the id, email, iat and exp (one day later)', async () => {
    const cookie = await signUp(ctx.app, 'me@test.com');

    const user = await currentUserWith(cookie);

    expect(user).toEqual({
      id: expect.any(String),
      email: 'me@test.com',
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
    expect(user.exp - user.iat).toBe(86_400);
  });

  it('treats a tampered token as not signed in', async () => {
    const [cookie] = await signUp(ctx.app, 'tamper@test.com');
    const token = JSON.parse(Buffer.from(cookie!.slice('session='.length), 'base64').toString()).jwt as string;
    const [header, payload, signature] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), email: 'admin@test.com' }),
    ).toString('base64url');

    expect(await currentUserWith(cookieWith(`${header}.${forged}.${signature}`))).toBeNull();
  });

  it('treats an expired token as not signed in', async () => {
    const expired = jwt.sign({ id: 'u1', email: 'old@test.com', exp: Math.floor(Date.now() / 1000) - 10 }, JWT_KEY, {
      algorithm: 'HS256',
    });

    expect(await currentUserWith(cookieWith(expired))).toBeNull();
  });

  it('treats an unsigned alg:none token as not signed in', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(
      JSON.stringify({ id: 'u1', email: 'none@test.com', iat: 1, exp: Math.floor(Date.now() / 1000) + 3600 }),
    ).toString('base64url');

    expect(await currentUserWith(cookieWith(`${header}.${payload}.`))).toBeNull();
  });

  it('treats a token signed with another algorithm as not signed in, even with the right key', async () => {
    const hs512 = jwt.sign({ id: 'u1', email: 'hs512@test.com' }, JWT_KEY, { algorithm: 'HS512', expiresIn: 60 });

    expect(await currentUserWith(cookieWith(hs512))).toBeNull();
  });

  it('treats a token signed with another key, or garbage in the cookie, as not signed in', async () => {
    const otherKey = jwt.sign({ id: 'u1', email: 'x@test.com' }, 'another-key-0123456789', {
      algorithm: 'HS256',
      expiresIn: 60,
    });

    expect(await currentUserWith(cookieWith(otherKey))).toBeNull();
    expect(await currentUserWith('session=%%%not-base64')).toBeNull();
    expect(await currentUserWith(cookieWith(''))).toBeNull();
  });
});

describe('POST /api/users/signout', () => {
  it('responds 200 {} and expires the session cookie, after which nobody is signed in', async () => {
    const cookie = await signUp(ctx.app, 'leaving@test.com');

    const response = await request(ctx.app).post('/api/users/signout').set('Cookie', cookie);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({});
    const cleared = response.get('Set-Cookie')?.find((c) => c.startsWith('session='));
    expect(cleared).toMatch(/expires=Thu, 01 Jan 1970/i);
    expect(await currentUserWith(sessionCookie(response.get('Set-Cookie')))).toBeNull();
  });

  it('without a session, still responds 200 {}', async () => {
    const response = await request(ctx.app).post('/api/users/signout');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({});
  });
});

describe('session cookie settings', () => {
  it('with COOKIE_SECURE=true behind TLS, marks the cookie Secure', async () => {
    const secure = await startAuth({ cookieSecure: true });
    const response = await request(secure.app)
      .post('/api/users/signup')
      .set('X-Forwarded-Proto', 'https')
      .send({ email: 'tls@test.com', password: 'password123' });

    expect(response.status).toBe(201);
    expect(response.get('Set-Cookie')?.find((c) => c.startsWith('session='))).toMatch(/; secure/i);
    await secure.database.close();
  });

  it('gives the cookie the token lifetime when JWT_EXPIRES_IN is shorter', async () => {
    const short = await startAuth({ jwtExpiresInSeconds: 3600 });
    const response = await request(short.app)
      .post('/api/users/signup')
      .send({ email: 'short@test.com', password: 'password123' });

    const cookie = response.get('Set-Cookie')!.find((c) => c.startsWith('session='))!;
    const expires = new Date(/expires=([^;]+)/i.exec(cookie)![1]!).getTime();
    expect(Math.abs(expires - (Date.now() + 3_600_000))).toBeLessThan(10_000);
    await short.database.close();
  });
});
