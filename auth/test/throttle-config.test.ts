import request from 'supertest';
import { ConfigError, parseConfig } from '@ticketing/common/service';
import { startTestService, TEST_JWT_KEY, type TestService } from '@ticketing/common/testing';
import { configSchema } from '../src/config';
import { authService } from '../src/service';
import { THROTTLE_RULES } from '../src/throttle/attempt-throttle';

describe('the sign-in and sign-up limits, from the environment', () => {
  const parse = (env: Record<string, string>) => parseConfig(configSchema, { JWT_KEY: TEST_JWT_KEY, ...env });

  it('are production’s when nothing says otherwise', () => {
    const config = parse({});

    expect([
      config.THROTTLE_SIGNIN_PER_ACCOUNT,
      config.THROTTLE_SIGNIN_PER_ADDRESS,
      config.THROTTLE_SIGNUP_PER_EMAIL,
      config.THROTTLE_SIGNUP_PER_ADDRESS,
    ]).toEqual([
      THROTTLE_RULES.signinAccount,
      THROTTLE_RULES.signinAddress,
      THROTTLE_RULES.signupAccount,
      THROTTLE_RULES.signupAddress,
    ]);
    expect(THROTTLE_RULES.signupAddress).toEqual({ limit: 20, windowSeconds: 3_600 });
  });

  it.each([
    ['1000/1h', { limit: 1_000, windowSeconds: 3_600 }],
    ['50/15m', { limit: 50, windowSeconds: 900 }],
    ['3 / 90', { limit: 3, windowSeconds: 90 }],
    ['5/1d', { limit: 5, windowSeconds: 86_400 }],
  ])('read %s as attempts per window', (value, rule) => {
    expect(parse({ THROTTLE_SIGNUP_PER_ADDRESS: value }).THROTTLE_SIGNUP_PER_ADDRESS).toEqual(rule);
  });

  it.each(['lots', '20', '0/1h', '20/0', '20/1w', '-1/1h', '1/99999999999d', '1/400d'])(
    'refuse %s, naming the variable',
    (value) => {
      expect(() => parse({ THROTTLE_SIGNIN_PER_ADDRESS: value })).toThrow(ConfigError);
      expect(() => parse({ THROTTLE_SIGNIN_PER_ADDRESS: value })).toThrow(/THROTTLE_SIGNIN_PER_ADDRESS/);
    },
  );
});

describe('auth started with THROTTLE_SIGNUP_PER_ADDRESS=2/1h', () => {
  let auth: TestService<typeof authService.database.schema, unknown>;

  beforeAll(async () => {
    auth = await startTestService(authService, { env: { THROTTLE_SIGNUP_PER_ADDRESS: '2/1h' } });
  });

  afterAll(async () => {
    await auth?.close();
  });

  it('answers the third sign-up from one address with 429 and an hour’s Retry-After', async () => {
    const signUp = (n: number) =>
      request(auth.server)
        .post('/api/users/signup')
        .set('X-Forwarded-For', '203.0.113.50')
        .send({ email: `limit-${n}@test.com`, password: 'password123' });

    expect((await signUp(1)).status).toBe(201);
    expect((await signUp(2)).status).toBe(201);
    const third = await signUp(3);

    expect(third.status).toBe(429);
    expect(Number(third.get('Retry-After'))).toBeGreaterThan(3_500);
    expect(Number(third.get('Retry-After'))).toBeLessThanOrEqual(3_600);
  });
});
