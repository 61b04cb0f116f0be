import request from 'supertest';
import { sessionCookie, startTestService, TEST_JWT_KEY, type TestService } from '@ticketing/common/testing';
import { __CAMEL__Service } from '../src/service';

let service: TestService<typeof __CAMEL__Service.database.schema, unknown>;

// A first PGlite instance is migrated from scratch: seconds, more on a busy machine.
beforeAll(async () => {
  service = await startTestService(__CAMEL__Service);
}, 120_000);

afterAll(async () => {
  await service?.close();
});

describe('GET /api/__NAME__', () => {
  it('answers, and knows who is signed in', async () => {
    const anonymous = await request(service.server).get('/api/__NAME__');
    const signedIn = await request(service.server).get('/api/__NAME__').set('Cookie', sessionCookie(TEST_JWT_KEY));

    expect(anonymous.body).toEqual({ service: '__NAME__', signedIn: false });
    expect(signedIn.body).toEqual({ service: '__NAME__', signedIn: true });
  });

  it('is ready once its database answers', async () => {
    const response = await request(service.server).get('/readyz');

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'ready', database: 'up' });
  });
});
