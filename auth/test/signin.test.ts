import request from 'supertest';
import { startAuth, signUp } from './auth-app';

let ctx: Awaited<ReturnType<typeof startAuth>>;

beforeAll(async () => {
  ctx = await startAuth();
  await signUp(ctx.app, 'known@test.com', 'password123');
});

afterAll(async () => {
  await ctx.database.close();
});

describe('POST /api/users/signin', () => {
  it('with the right credentials, responds 200 with the account and sets the session cookie', async () => {
    const response = await request(ctx.app)
      .post('/api/users/signin')
      .send({ email: 'known@test.com', password: 'password123' });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id: expect.any(String), email: 'known@test.com' });
    expect(response.get('Set-Cookie')?.some((c) => c.startsWith('session=') && /httponly/i.test(c))).toBe(true);
  });

  it('matches the email regardless of case and surrounding spaces', async () => {
    await request(ctx.app)
      .post('/api/users/signin')
      .send({ email: ' KNOWN@test.com ', password: 'password123' })
      .expect(200);
  });

  it('answers an unknown email and a wrong password with the same 400 "Invalid credentials" and no cookie', async () => {
    const unknown = await request(ctx.app)
      .post('/api/users/signin')
      .send({ email: 'nobody@test.com', password: 'password123' });
    const wrong = await request(ctx.app)
      .post('/api/users/signin')
      .send({ email: 'known@test.com', password: 'wrong-password' });

    for (const response of [unknown, wrong]) {
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ errors: [{ message: 'Invalid credentials' }] });
      expect(response.get('Set-Cookie')).toBeUndefined();
    }
  });

  it('when the email is invalid, responds 400 with an email error', async () => {
    const response = await request(ctx.app).post('/api/users/signin').send({ email: 'nope', password: 'password123' });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message: 'Email must be valid', field: 'email' }] });
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['not a string', 42],
  ])('when the password is %s, responds 400 "You must supply a password"', async (_case, password) => {
    const response = await request(ctx.app).post('/api/users/signin').send({ email: 'known@test.com', password });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message: 'You must supply a password', field: 'password' }] });
  });
});
