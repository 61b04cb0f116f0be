import type { Response } from 'supertest';
import request from 'supertest';
import { sessionCookie, TEST_JWT_KEY } from '@ticketing/common/testing';
import type { ServiceApps } from './services';

/** How to make a service give one documented answer: `'<METHOD> <path> <status>'` → the request. */
export type Scenarios = Record<string, (apps: ServiceApps) => Promise<Response>>;

const owner = { id: '5f8a4c1e-0000-4000-8000-0000000000aa', email: 'owner@test.com' };
const someoneElse = { id: '5f8a4c1e-0000-4000-8000-0000000000bb', email: 'other@test.com' };
const buyer = { id: '5f8a4c1e-0000-4000-8000-0000000000cc', email: 'buyer@test.com' };
const MISSING = '00000000-0000-4000-8000-000000000000';
const credentials = (email: string) => ({ email, password: 'password123' });
const signedIn = (user: { id: string; email: string }) => sessionCookie(TEST_JWT_KEY, user);

async function createTicket(apps: ServiceApps): Promise<string> {
  const response = await request(apps.tickets)
    .post('/api/tickets')
    .set('Cookie', signedIn(owner))
    .send({ title: 'Documented', price: 12.5 });
  return response.body.id as string;
}

/** A ticket of `owner` that orders knows (its ticket:created delivered). */
async function listTicket(apps: ServiceApps): Promise<string> {
  const ticketId = await createTicket(apps);
  await apps.deliverEvents();
  return ticketId;
}

function expectStatus(response: Response, status: number, what: string): Response {
  if (response.status !== status) throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
  return response;
}

/** An order of `buyer` for a new ticket, with tickets (the reservation) and payments told of it. */
async function placeOrder(apps: ServiceApps): Promise<{ id: string; ticket: { id: string } }> {
  const ticketId = await listTicket(apps);
  const response = await request(apps.orders).post('/api/orders').set('Cookie', signedIn(buyer)).send({ ticketId });
  expectStatus(response, 201, 'placing an order');
  await apps.deliverEvents();
  return response.body as { id: string; ticket: { id: string } };
}

function pay(apps: ServiceApps, orderId: string, token = 'tok_visa') {
  return request(apps.payments).post('/api/payments').set('Cookie', signedIn(buyer)).send({ orderId, token });
}

/** An order `buyer` paid for: complete in orders, its ticket sold. */
async function paidOrder(apps: ServiceApps): Promise<{ id: string; ticket: { id: string } }> {
  const order = await placeOrder(apps);
  expectStatus(await pay(apps, order.id), 201, 'paying');
  await apps.deliverEvents();
  return order;
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
  'GET /api/tickets 401': ({ tickets }) => request(tickets).get('/api/tickets?seller=me'),
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

  // A sold ticket: its orderId names the order that bought it.
  'GET /api/tickets/{id} 200': async (apps) =>
    request(apps.tickets).get(`/api/tickets/${(await paidOrder(apps)).ticket.id}`),
  'GET /api/tickets/{id} 404': ({ tickets }) => request(tickets).get(`/api/tickets/${MISSING}`),
  'GET /api/tickets/{id} 503': ({ ticketsDown }) => request(ticketsDown).get(`/api/tickets/${MISSING}`),

  'DELETE /api/tickets/{id} 204': async (apps) =>
    request(apps.tickets)
      .delete(`/api/tickets/${await createTicket(apps)}`)
      .set('Cookie', signedIn(owner)),
  'DELETE /api/tickets/{id} 400': async (apps) =>
    request(apps.tickets)
      .delete(`/api/tickets/${(await placeOrder(apps)).ticket.id}`)
      .set('Cookie', signedIn(owner)),
  'DELETE /api/tickets/{id} 401': async (apps) =>
    request(apps.tickets)
      .delete(`/api/tickets/${await createTicket(apps)}`)
      .set('Cookie', sessionCookie(TEST_JWT_KEY, someoneElse)),
  'DELETE /api/tickets/{id} 404': ({ tickets }) =>
    request(tickets).delete(`/api/tickets/${MISSING}`).set('Cookie', signedIn(owner)),
  'DELETE /api/tickets/{id} 503': ({ ticketsDown }) =>
    request(ticketsDown).delete(`/api/tickets/${MISSING}`).set('Cookie', signedIn(owner)),

  'PUT /api/tickets/{id} 200': async (apps) =>
    request(apps.tickets)
      .put(`/api/tickets/${await createTicket(apps)}`)
      .set('Cookie', sessionCookie(TEST_JWT_KEY, owner))
      .send({ title: 'Changed', price: 30 }),
  'PUT /api/tickets/{id} 400': async (apps) =>
    request(apps.tickets)
      .put(`/api/tickets/${(await placeOrder(apps)).ticket.id}`)
      .set('Cookie', signedIn(owner))
      .send({ title: 'Changed', price: 30 }),
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
  'PUT /api/tickets/{id} 413': async (apps) =>
    request(apps.tickets)
      .put(`/api/tickets/${await createTicket(apps)}`)
      .set('Cookie', signedIn(owner))
      .send({ title: 'x'.repeat(101 * 1024), price: 1 }),
  'PUT /api/tickets/{id} 415': async (apps) =>
    request(apps.tickets)
      .put(`/api/tickets/${await createTicket(apps)}`)
      .set('Cookie', signedIn(owner))
      .set('Content-Type', 'application/json; charset=latin1')
      .send('{}'),
  'PUT /api/tickets/{id} 503': ({ ticketsDown }) =>
    request(ticketsDown)
      .put(`/api/tickets/${MISSING}`)
      .set('Cookie', sessionCookie(TEST_JWT_KEY, owner))
      .send({ title: 'Changed', price: 30 }),

  'GET /api/orders 200': async (apps) => {
    await placeOrder(apps);
    await paidOrder(apps);
    return request(apps.orders).get('/api/orders').set('Cookie', signedIn(buyer));
  },
  'GET /api/orders 401': ({ orders }) => request(orders).get('/api/orders'),
  'GET /api/orders 503': ({ ordersDown }) => request(ordersDown).get('/api/orders').set('Cookie', signedIn(buyer)),

  'POST /api/orders 201': async (apps) =>
    request(apps.orders)
      .post('/api/orders')
      .set('Cookie', signedIn(buyer))
      .send({ ticketId: await listTicket(apps) }),
  'POST /api/orders 400': async (apps) =>
    request(apps.orders)
      .post('/api/orders')
      .set('Cookie', signedIn(someoneElse))
      .send({ ticketId: (await placeOrder(apps)).ticket.id }),
  'POST /api/orders 401': ({ orders }) => request(orders).post('/api/orders').send({ ticketId: MISSING }),
  'POST /api/orders 404': ({ orders }) =>
    request(orders).post('/api/orders').set('Cookie', signedIn(buyer)).send({ ticketId: MISSING }),
  'POST /api/orders 413': ({ orders }) =>
    request(orders)
      .post('/api/orders')
      .set('Cookie', signedIn(buyer))
      .send({ ticketId: MISSING, padding: 'x'.repeat(101 * 1024) }),
  'POST /api/orders 415': ({ orders }) =>
    request(orders)
      .post('/api/orders')
      .set('Cookie', signedIn(buyer))
      .set('Content-Type', 'application/json; charset=latin1')
      .send('{}'),
  'POST /api/orders 503': ({ ordersDown }) =>
    request(ordersDown).post('/api/orders').set('Cookie', signedIn(buyer)).send({ ticketId: MISSING }),

  'GET /api/orders/{id} 200': async (apps) =>
    request(apps.orders)
      .get(`/api/orders/${(await placeOrder(apps)).id}`)
      .set('Cookie', signedIn(buyer)),
  'GET /api/orders/{id} 401': async (apps) =>
    request(apps.orders)
      .get(`/api/orders/${(await placeOrder(apps)).id}`)
      .set('Cookie', signedIn(someoneElse)),
  'GET /api/orders/{id} 404': ({ orders }) =>
    request(orders).get('/api/orders/not-an-id').set('Cookie', signedIn(buyer)),
  'GET /api/orders/{id} 503': ({ ordersDown }) =>
    request(ordersDown).get(`/api/orders/${MISSING}`).set('Cookie', signedIn(buyer)),

  'DELETE /api/orders/{id} 204': async (apps) =>
    request(apps.orders)
      .delete(`/api/orders/${(await placeOrder(apps)).id}`)
      .set('Cookie', signedIn(buyer)),
  'DELETE /api/orders/{id} 400': async (apps) =>
    request(apps.orders)
      .delete(`/api/orders/${(await paidOrder(apps)).id}`)
      .set('Cookie', signedIn(buyer)),
  'DELETE /api/orders/{id} 401': async (apps) =>
    request(apps.orders)
      .delete(`/api/orders/${(await placeOrder(apps)).id}`)
      .set('Cookie', signedIn(someoneElse)),
  'DELETE /api/orders/{id} 404': ({ orders }) =>
    request(orders).delete(`/api/orders/${MISSING}`).set('Cookie', signedIn(buyer)),
  'DELETE /api/orders/{id} 503': ({ ordersDown }) =>
    request(ordersDown).delete(`/api/orders/${MISSING}`).set('Cookie', signedIn(buyer)),

  'GET /api/payments 200': async (apps) => {
    const order = await paidOrder(apps);
    return request(apps.payments).get(`/api/payments?orderId=${order.id}`).set('Cookie', signedIn(buyer));
  },
  'GET /api/payments 400': ({ payments }) =>
    request(payments).get('/api/payments?orderId=nope').set('Cookie', signedIn(buyer)),
  'GET /api/payments 401': ({ payments }) => request(payments).get('/api/payments'),
  'GET /api/payments 503': ({ paymentsDown }) =>
    request(paymentsDown).get('/api/payments').set('Cookie', signedIn(buyer)),

  'POST /api/payments 201': async (apps) => pay(apps, (await placeOrder(apps)).id),
  'POST /api/payments 400': async (apps) => pay(apps, (await paidOrder(apps)).id, 'tok_mastercard'),
  'POST /api/payments 401': async (apps) =>
    request(apps.payments)
      .post('/api/payments')
      .set('Cookie', signedIn(someoneElse))
      .send({ orderId: (await placeOrder(apps)).id, token: 'tok_visa' }),
  'POST /api/payments 402': async (apps) => pay(apps, (await placeOrder(apps)).id, 'tok_chargeDeclined'),
  'POST /api/payments 404': (apps) => pay(apps, MISSING),
  'POST /api/payments 409': async (apps) => {
    const order = await placeOrder(apps);
    await apps.startPaymentAttempt(order.id, 'tok_visa');
    return pay(apps, order.id);
  },
  'POST /api/payments 413': ({ payments }) =>
    request(payments)
      .post('/api/payments')
      .set('Cookie', signedIn(buyer))
      .send({ orderId: MISSING, token: 'x'.repeat(101 * 1024) }),
  'POST /api/payments 415': ({ payments }) =>
    request(payments)
      .post('/api/payments')
      .set('Cookie', signedIn(buyer))
      .set('Content-Type', 'application/json; charset=latin1')
      .send('{}'),
  // The provider cannot be reached; the database-gone 503 is shown by GET /api/payments.
  'POST /api/payments 503': async (apps) =>
    request(apps.paymentsProviderDown)
      .post('/api/payments')
      .set('Cookie', signedIn(buyer))
      .send({ orderId: (await placeOrder(apps)).id, token: 'tok_visa' }),

  'GET /healthz 200': ({ tickets }) => request(tickets).get('/healthz'),
  'GET /readyz 200': ({ tickets }) => request(tickets).get('/readyz'),
  'GET /readyz 503': ({ ticketsDown }) => request(ticketsDown).get('/readyz'),
  'GET /metrics 200': async ({ tickets }) => {
    await request(tickets).get('/healthz');
    const answer = await request(tickets).get('/metrics');
    // Prometheus' text format, the request just made already in it.
    expect(answer.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(answer.text).toMatch(/^http_server_request_duration_seconds_count\{.*http_route="\/healthz".*\} [1-9]\d*$/m);
    return answer;
  },
};
