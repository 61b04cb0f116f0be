import fc from 'fast-check';
import request from 'supertest';
import { startAuth } from './auth-app';

let ctx: Awaited<ReturnType<typeof startAuth>>;

beforeAll(async () => {
  ctx = await startAuth();
});

afterAll(async () => {
  await ctx.database.close();
});

describe('the account routes (properties)', () => {
  it.each(['/api/users/signup', '/api/users/signin'])(
    'POST %s answers any JSON body with a 2xx or a 4xx in the error format, never a 500',
    async (path) => {
      const email = fc.oneof(fc.emailAddress(), fc.string(), fc.jsonValue());
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.jsonValue(),
            fc.record({ email, password: fc.oneof(fc.string(), fc.jsonValue()) }, { requiredKeys: [] }),
          ),
          async (body) => {
            const response = await request(ctx.app)
              .post(path)
              .set('Content-Type', 'application/json')
              .send(JSON.stringify(body));

            expect(response.status).toBeLessThan(500);
            if (response.status >= 400) {
              expect(response.body).toEqual({
                errors: expect.arrayContaining([expect.objectContaining({ message: expect.any(String) })]),
              });
            }
          },
        ),
        { numRuns: 150 },
      );
    },
    180_000,
  );
});
