import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import request from 'supertest';
import { publishEvent, Subjects } from '@ticketing/common/events';
import { waitFor } from '@ticketing/common/testing';
import { listTicket, orderEvents, settled, signin, startOrders, type OrdersContext } from './orders-app';

let ctx: OrdersContext;

beforeAll(async () => {
  ctx = await startOrders();
});

afterAll(async () => {
  await ctx.close();
});

async function placeOrder(buyer: { id: string }, title = 'Concert') {
  const ticket = await listTicket(ctx, { title });
  const response = await request(ctx.app)
    .post('/api/orders')
    .set('Cookie', signin(buyer))
    .send({ ticketId: ticket.id });
  expect(response.status).toBe(201);
  return response.body as { id: string; version: number; status: string };
}

describe('GET /api/orders', () => {
  it('responds 401 when not signed in', async () => {
    const response = await request(ctx.app).get('/api/orders');

    expect(response.status).toBe(401);
    expect(response.body).toEqual({ errors: [{ message: 'Not authorized' }] });
  });

  it("lists only the caller's orders, newest first, with their tickets", async () => {
    const buyer = { id: randomUUID() };
    const first = await placeOrder(buyer, 'First');
    await placeOrder({ id: randomUUID() }, "Someone else's");
    const second = await placeOrder(buyer, 'Second');

    const response = await request(ctx.app).get('/api/orders').set('Cookie', signin(buyer));

    expect(response.status).toBe(200);
    expect(response.body.map((o: { id: string; ticket: { title: string } }) => [o.id, o.ticket.title])).toEqual([
      [second.id, 'Second'],
      [first.id, 'First'],
    ]);
  });

  it('answers an empty list to a user without orders', async () => {
    const response = await request(ctx.app).get('/api/orders').set('Cookie', signin());

    expect(response.body).toEqual([]);
  });
});

describe('GET /api/orders/:id', () => {
  it('responds 401 when not signed in, and 404 for an unknown or malformed id', async () => {
    expect((await request(ctx.app).get(`/api/orders/${randomUUID()}`)).status).toBe(401);
    for (const id of [randomUUID(), 'not-an-id']) {
      const response = await request(ctx.app).get(`/api/orders/${id}`).set('Cookie', signin());
      expect([response.status, response.body]).toEqual([404, { errors: [{ message: 'Not Found' }] }]);
    }
  });

  it('responds 401 "Not authorized" for someone else\'s order', async () => {
    const order = await placeOrder({ id: randomUUID() });

    const response = await request(ctx.app).get(`/api/orders/${order.id}`).set('Cookie', signin());

    expect(response.status).toBe(401);
    expect(response.body).toEqual({ errors: [{ message: 'Not authorized' }] });
  });

  it('shows the owner the order as it was created', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(buyer);

    const response = await request(ctx.app).get(`/api/orders/${order.id}`).set('Cookie', signin(buyer));

    expect(response.status).toBe(200);
    expect(response.body).toEqual(order);
  });
});

describe('DELETE /api/orders/:id', () => {
  it('responds 401 when not signed in, 404 for an unknown or malformed id', async () => {
    expect((await request(ctx.app).delete(`/api/orders/${randomUUID()}`)).status).toBe(401);
    for (const id of [randomUUID(), 'nope']) {
      expect((await request(ctx.app).delete(`/api/orders/${id}`).set('Cookie', signin())).status).toBe(404);
    }
  });

  it("responds 401 for someone else's order and leaves it as it is", async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(buyer);

    const response = await request(ctx.app).delete(`/api/orders/${order.id}`).set('Cookie', signin());

    expect(response.status).toBe(401);
    const shown = await request(ctx.app).get(`/api/orders/${order.id}`).set('Cookie', signin(buyer));
    expect(shown.body.status).toBe('created');
  });

  it('cancels: 204, status cancelled with the next version, order:cancelled once, even when asked twice', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(buyer);

    const first = await request(ctx.app).delete(`/api/orders/${order.id}`).set('Cookie', signin(buyer));
    const again = await request(ctx.app).delete(`/api/orders/${order.id}`).set('Cookie', signin(buyer));

    expect([first.status, again.status]).toEqual([204, 204]);
    expect(first.text).toBe('');
    const shown = await request(ctx.app).get(`/api/orders/${order.id}`).set('Cookie', signin(buyer));
    expect(shown.body).toMatchObject({ status: 'cancelled', version: 1 });
    const events = await orderEvents(ctx.nats, order.id, 2);
    // Both requests have answered: once the outbox is empty, every event they queued is in the stream.
    await settled(ctx);
    expect((await orderEvents(ctx.nats, order.id, 2)).map((e) => [e.subject, e.data.version])).toEqual([
      ['order:created', 0],
      ['order:cancelled', 1],
    ]);
    expect(events[1]!.data).toEqual({ id: order.id, version: 1, ticket: { id: shown.body.ticket.id } });
  });

  it('refuses to cancel a paid order: 400 "Cannot cancel a paid order"', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(buyer);
    await publishEvent(jetstream(ctx.nats.client), Subjects.PaymentCreated, {
      id: randomUUID(),
      orderId: order.id,
      chargeId: 'ch_test',
    });
    await waitFor(
      async () =>
        (await request(ctx.app).get(`/api/orders/${order.id}`).set('Cookie', signin(buyer))).body.status === 'complete',
      { message: 'the order completed' },
    );

    const response = await request(ctx.app).delete(`/api/orders/${order.id}`).set('Cookie', signin(buyer));

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message: 'Cannot cancel a paid order' }] });
    expect((await orderEvents(ctx.nats, order.id, 2)).map((e) => [e.subject, e.data.version])).toEqual([
      ['order:created', 0],
      ['order:completed', 1],
    ]);
  });
});
