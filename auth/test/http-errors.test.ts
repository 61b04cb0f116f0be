import request from 'supertest';
import { startAuth } from './auth-app';

let ctx: Awaited<ReturnType<typeof startAuth>>;

beforeAll(async () => {
  ctx = await startAuth();
});

afterAll(async () => {
  await ctx.database.close();
});

describe('errors outside the routes', () => {
  it('answers malformed JSON with 400 in the contract format', async () => {
    const response = await request(ctx.app)
      .post('/api/users/signup')
      .set('Content-Type', 'application/json')
      .send('{"email": "a@b.co", ');

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message: 'Request body is not valid JSON' }] });
  });

  it('answers a body over 100 kB with 413 in the contract format', async () => {
    const response = await request(ctx.app)
      .post('/api/users/signup')
      .send({ email: 'big@test.com', password: 'x'.repeat(101 * 1024) });

    expect(response.status).toBe(413);
    expect(response.body).toEqual({ errors: [{ message: 'Request body must not exceed 100 kB' }] });
  });

  it.each([
    ['GET', '/api/users/nothing-here'],
    ['DELETE', '/api/users/signup'],
    ['GET', '/'],
  ])('answers %s %s with 404 "Not Found"', async (method, path) => {
    const response = await request(ctx.app)[method.toLowerCase() as 'get' | 'delete'](path);

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ errors: [{ message: 'Not Found' }] });
  });

  it.each(['/api/users/%E0', '/api/users/%ZZ'])('answers the undecodable path %s with 404, not a 500', async (path) => {
    const response = await request(ctx.app).get(path);

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ errors: [{ message: 'Not Found' }] });
  });

  it('answers a body that is not JSON at all with field errors, not a 500', async () => {
    const response = await request(ctx.app)
      .post('/api/users/signup')
      .type('form')
      .send('email=a@b.co&password=password123');

    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(['email', 'password']);
  });
});

describe('health', () => {
  it('GET /healthz responds 200 while the process serves', async () => {
    await request(ctx.app).get('/healthz').expect(200);
  });

  it('GET /readyz responds 200 while the database answers and 503 in the contract format once it is gone', async () => {
    const own = await startAuth();
    await request(own.app).get('/readyz').expect(200, { status: 'ready', database: 'up' });

    await own.database.close();
    const response = await request(own.app).get('/readyz');

    expect(response.status).toBe(503);
    expect(response.body.errors).toEqual([{ message: 'Not ready: the database is unavailable' }]);
  });

  it('answers requests with 503 in the contract format when the database is gone', async () => {
    const own = await startAuth();
    await own.database.close();

    const response = await request(own.app)
      .post('/api/users/signin')
      .send({ email: 'a@test.com', password: 'password123' });

    expect(response.status).toBe(503);
    expect(response.body).toEqual({ errors: [{ message: 'Database unavailable, please try again shortly' }] });
  });
});
