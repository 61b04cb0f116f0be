import type { Response } from 'supertest';
import request from 'supertest';
import { sessionCookie, TEST_JWT_KEY } from '@ticketing/common/testing';
import type { ServiceApps } from './services';

/** How to make a service give one documented answer: `'<METHOD> <path> <status>'` → the request. */
export type Scenarios = Record<string, (apps: ServiceApps) => Promise<Response>>;

const owner = { id: '5f8a4c1e-0000-4000-8000-0000000000aa', email: 'owner@test.com' };
const someoneElse = { id: '5f8a4c1e-0000-4000-8000-0000000000bb', email: 'other@test.com' };
const MISSING = '00000000-0000-4000-8000-000000000000';
const credentials = (email: string) => ({ email, password: 'password123' });

async function createTicket(apps: ServiceApps): Promise<string> {
  const response = await request(apps.tickets)
    .post('/api/tickets')
    .set('Cookie', sessionCookie(TEST_JWT_KEY, owner))
    .send({ title: 'Documented', price: 12.5 });
  return response.body.id as string;
}

export const scenarios: Scenarios = {
  'POST /api/users/signup 201': ({ auth }) =>
    request(auth).post('/api/users/signup').send(credentials('doc-new@test.com')),
  'POST /api/users/signup 400': ({ auth }) => request(auth).post('/api/users/signup').send({ email: 'nope' }),
  'POST /api/users/signup 403': ({ auth }) =>
    request(auth).post('/api/users/signup').set('Sec-Fetch-Site', 'cross-site').send(credentials('x@test.com')),
  'POST /api/users/signup 413': ({ auth }) =>
    request(auth)
      .post('/api/users/signup')
      .send({ email: 'big@test.com', password: 'x'.repeat(101 * 1024) }),
  'POST /api/users/signup 415': ({ auth }) =>
    request(auth).post('/api/users/signup').set('Content-Type', 'application/json; charset=latin1').send('{}'),
  'POST /api/users/signup 429': async ({ auth }) => {
    let last: Response | undefined;
    for (let i = 0; i < 6; i++) {
      last = await request(auth)
        .post('/api/users/signup')
        .set('X-Forwarded-For', `198.18.7.${i}`)
        .send(credentials('doc-probe@test.com'));
    }
    return last!;
  },
  'POST /api/users/signup 503': ({ authDown }) =>
    request(authDown).post('/api/users/signup').send(credentials('down@test.com')),

  'POST /api/users/signin 200': async ({ auth }) => {
    await request(auth).post('/api/users/signup').send(credentials('doc-known@test.com'));
    return request(auth).post('/api/users/signin').send(credentials('doc-known@test.com'));
  },
  'POST /api/users/signin 400': ({ auth }) =>
    request(auth).post('/api/users/signin').send({ email: 'doc-unknown@test.com', password: 'whatever' }),
  'POST /api/users/signin 403': ({ auth }) =>
    request(auth).post('/api/users/signin').set('Origin', 'https://evil.example').send(credentials('x@test.com')),
  'POST /api/users/signin 429': async ({ auth }) => {
    let last: Response | undefined;
    for (let i = 0; i < 11; i++) {
      last = await request(auth)
        .post('/api/users/signin')
        .send({ email: 'doc-target@test.com', password: `guess-${i}` });
    }
    return last!;
  },
  'POST /api/users/signin 503': ({ authDown }) =>
    request(authDown).post('/api/users/signin').send(credentials('down@test.com')),

  'POST /api/users/signout 200': ({ auth }) => request(auth).post('/api/users/signout'),
  'POST /api/users/signout 403': ({ auth }) =>
    request(auth).post('/api/users/signout').set('Sec-Fetch-Site', 'cross-site'),

  'GET /api/users/currentuser 200': ({ auth }) =>
    request(auth).get('/api/users/currentuser').set('Cookie', sessionCookie(TEST_JWT_KEY, owner)),

  'GET /api/tickets 200': async (apps) => {
    await createTicket(apps);
    await createTicket(apps);
    return request(apps.tickets).get('/api/tickets?limit=1');
  },
  'GET /api/tickets 400': ({ tickets }) => request(tickets).get('/api/tickets?limit=0'),
  'GET /api/tickets 503': ({ ticketsDown }) => request(ticketsDown).get('/api/tickets'),

  'POST /api/tickets 201': ({ tickets }) =>
    request(tickets)
      .post('/api/tickets')
      .set('Cookie', sessionCookie(TEST_JWT_KEY, owner))
      .send({ title: 'Concert', price: 20 }),
  'POST /api/tickets 400': ({ tickets }) =>
    request(tickets).post('/api/tickets').set('Cookie', sessionCookie(TEST_JWT_KEY, owner)).send({ price: 'ten' }),
  'POST /api/tickets 401': ({ tickets }) => request(tickets).post('/api/tickets').send({ title: 'Concert', price: 20 }),
  'POST /api/tickets 413': ({ tickets }) =>
    request(tickets)
      .post('/api/tickets')
      .set('Cookie', sessionCookie(TEST_JWT_KEY, owner))
      .send({ title: 'x'.repeat(101 * 1024), price: 1 }),
  'POST /api/tickets 415': ({ tickets }) =>
    request(tickets)
      .post('/api/tickets')
      .set('Cookie', sessionCookie(TEST_JWT_KEY, owner))
      .set('Content-Type', 'application/json; charset=latin1')
      .send('{}'),
  'POST /api/tickets 503': ({ ticketsDown }) =>
    request(ticketsDown)
      .post('/api/tickets')
      .set('Cookie', sessionCookie(TEST_JWT_KEY, owner))
      .send({ title: 'Concert', price: 20 }),

  'GET /api/tickets/{id} 200': async (apps) => request(apps.tickets).get(`/api/tickets/${await createTicket(apps)}`),
  'GET /api/tickets/{id} 404': ({ tickets }) => request(tickets).get(`/api/tickets/${MISSING}`),
  'GET /api/tickets/{id} 503': ({ ticketsDown }) => request(ticketsDown).get(`/api/tickets/${MISSING}`),

  'PUT /api/tickets/{id} 200': async (apps) =>
    request(apps.tickets)
      .put(`/api/tickets/${await createTicket(apps)}`)
      .set('Cookie', sessionCookie(TEST_JWT_KEY, owner))
      .send({ title: 'Changed', price: 30 }),
  'PUT /api/tickets/{id} 400': async (apps) =>
    request(apps.tickets)
      .put(`/api/tickets/${await createTicket(apps)}`)
      .set('Cookie', sessionCookie(TEST_JWT_KEY, owner))
      .send({ title: '', price: 30 }),
  'PUT /api/tickets/{id} 401': async (apps) =>
    request(apps.tickets)
      .put(`/api/tickets/${await createTicket(apps)}`)
      .set('Cookie', sessionCookie(TEST_JWT_KEY, someoneElse))
      .send({ title: 'Mine now', price: 30 }),
  'PUT /api/tickets/{id} 404': ({ tickets }) =>
    request(tickets)
      .put(`/api/tickets/${MISSING}`)
      .set('Cookie', sessionCookie(TEST_JWT_KEY, owner))
      .send({ title: 'Changed', price: 30 }),
  'PUT /api/tickets/{id} 503': ({ ticketsDown }) =>
    request(ticketsDown)
      .put(`/api/tickets/${MISSING}`)
      .set('Cookie', sessionCookie(TEST_JWT_KEY, owner))
      .send({ title: 'Changed', price: 30 }),

  'GET /healthz 200': ({ tickets }) => request(tickets).get('/healthz'),
  'GET /readyz 200': ({ tickets }) => request(tickets).get('/readyz'),
  'GET /readyz 503': ({ ticketsDown }) => request(ticketsDown).get('/readyz'),
};
