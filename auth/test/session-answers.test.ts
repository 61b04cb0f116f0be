import request from 'supertest';
import { signUp, startAuth } from './auth-app';

let ctx: Awaited<ReturnType<typeof startAuth>>;

beforeAll(async () => {
  ctx = await startAuth();
});

afterAll(async () => {
  await ctx.database.close();
});

describe('session answers are never cached', () => {
  it.each([
    ['GET', '/api/users/currentuser', undefined],
    ['POST', '/api/users/signup', { email: 'cache@test.com', password: 'password123' }],
    ['POST', '/api/users/signin', { email: 'cache@test.com', password: 'password123' }],
    ['POST', '/api/users/signin', { email: 'cache@test.com', password: 'wrong-one' }],
    ['POST', '/api/users/signout', undefined],
  ])('%s %s answers Cache-Control: no-store', async (method, path, body) => {
    const call = method === 'GET' ? request(ctx.app).get(path) : request(ctx.app).post(path).send(body);

    expect((await call).get('Cache-Control')).toBe('no-store');
  });
});

describe('signing in, up or out from another site', () => {
  it.each([
    ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'Sec-Fetch-Site': 'same-site' }],
    ['an Origin naming another host', { Origin: 'https://evil.example', Host: 'ticketing.dev' }],
  ])('is refused with 403 when the browser says %s', async (name, headers) => {
    const cookie = await signUp(ctx.app, `csrf-${name.replace(/[^a-z]+/gi, '-')}@test.com`.toLowerCase());

    for (const path of ['/api/users/signout', '/api/users/signin', '/api/users/signup']) {
      const response = await request(ctx.app)
        .post(path)
        .set('Cookie', cookie)
        .set(headers)
        .send({ email: 'x@test.com', password: 'password123' });

      expect(response.status).toBe(403);
      expect(response.body).toEqual({ errors: [{ message: 'Cross-site requests are not allowed here' }] });
      expect(response.get('Set-Cookie')).toBeUndefined();
    }
  });

  it.each([
    ['Sec-Fetch-Site: same-origin', { 'Sec-Fetch-Site': 'same-origin' }],
    ['an Origin naming this host', { Origin: 'http://ticketing.dev', Host: 'ticketing.dev' }],
    ['neither header (not a browser)', {}],
  ])('signs out when the request comes with %s', async (_case, headers) => {
    const response = await request(ctx.app).post('/api/users/signout').set(headers);

    expect(response.status).toBe(200);
    expect(response.get('Set-Cookie')?.some((cookie) => cookie.startsWith('session=;'))).toBe(true);
  });
});
