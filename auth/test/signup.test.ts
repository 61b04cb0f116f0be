import request from 'supertest';
import { startAuth, signUp } from './auth-app';

let ctx: Awaited<ReturnType<typeof startAuth>>;

beforeAll(async () => {
  ctx = await startAuth();
});

afterAll(async () => {
  await ctx.database.close();
});

describe('POST /api/users/signup', () => {
  it('when the input is valid, responds 201 with the id and email and sets an HttpOnly Lax session cookie that lasts a day', async () => {
    const response = await request(ctx.app)
      .post('/api/users/signup')
      .send({ email: 'new@test.com', password: 'password123' });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({ id: expect.any(String), email: 'new@test.com' });
    expect(Object.keys(response.body).sort()).toEqual(['email', 'id']);
    const cookie = response.get('Set-Cookie')?.find((c) => c.startsWith('session='));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/; httponly/i);
    expect(cookie).toMatch(/; samesite=lax/i);
    expect(cookie).not.toMatch(/; secure/i);
    const expires = new Date(/expires=([^;]+)/i.exec(cookie!)![1]!).getTime();
    expect(Math.abs(expires - (Date.now() + 86_400_000))).toBeLessThan(10_000);
  });

  it('when the email is invalid, responds 400 with an email error', async () => {
    const response = await request(ctx.app)
      .post('/api/users/signup')
      .send({ email: 'not-an-email', password: 'password123' });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message: 'Email must be valid', field: 'email' }] });
  });

  it.each([
    ['too short', 'short'],
    ['too long', 'x'.repeat(129)],
    ['not a string', 12345678],
    ['missing', undefined],
  ])('when the password is %s, responds 400 with a password error', async (_case, password) => {
    const response = await request(ctx.app).post('/api/users/signup').send({ email: 'pw@test.com', password });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      errors: [{ message: 'Password must be between 8 and 128 characters', field: 'password' }],
    });
  });

  it('accepts passwords of exactly 8 and 128 characters', async () => {
    await request(ctx.app)
      .post('/api/users/signup')
      .send({ email: 'eight@test.com', password: '12345678' })
      .expect(201);
    await request(ctx.app)
      .post('/api/users/signup')
      .send({ email: 'long@test.com', password: 'y'.repeat(128) })
      .expect(201);
  });

  it('when both fields are missing, responds 400 naming both fields', async () => {
    const response = await request(ctx.app).post('/api/users/signup').send({});

    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { message: 'Email must be valid', field: 'email' },
      { message: 'Password must be between 8 and 128 characters', field: 'password' },
    ]);
  });

  it('when the email is not a string, responds 400 with an email error instead of failing', async () => {
    const response = await request(ctx.app)
      .post('/api/users/signup')
      .send({ email: ['a@b.co'], password: 'password123' });

    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ message: 'Email must be valid', field: 'email' }]);
  });

  it('when the email is taken, responds 400 "Email in use" without a field', async () => {
    await signUp(ctx.app, 'taken@test.com');

    const response = await request(ctx.app)
      .post('/api/users/signup')
      .send({ email: 'taken@test.com', password: 'password123' });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message: 'Email in use' }] });
  });

  it('stores the email trimmed and lower-cased, so a duplicate differing in case or spaces is "Email in use"', async () => {
    const first = await request(ctx.app)
      .post('/api/users/signup')
      .send({ email: '  Mixed.Case@Test.com ', password: 'password123' });
    expect(first.status).toBe(201);
    expect(first.body.email).toBe('mixed.case@test.com');

    const second = await request(ctx.app)
      .post('/api/users/signup')
      .send({ email: 'MIXED.case@test.COM', password: 'password123' });

    expect(second.status).toBe(400);
    expect(second.body).toEqual({ errors: [{ message: 'Email in use' }] });
  });

  it('when two identical sign-ups race, one gets 201 and the other "Email in use", never a 500', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 4 }, () =>
        request(ctx.app).post('/api/users/signup').send({ email: 'race@test.com', password: 'password123' }),
      ),
    );

    const statuses = attempts.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 400, 400, 400]);
    for (const failed of attempts.filter((r) => r.status === 400)) {
      expect(failed.body).toEqual({ errors: [{ message: 'Email in use' }] });
    }
  });
});
