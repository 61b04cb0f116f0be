import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Subjects } from '@ticketing/common/events';
import { waitFor } from '@ticketing/common/testing';
import { listTicket, orderEvents, publish, settled, signin, startOrders, type OrdersContext } from './orders-app';

let ctx: OrdersContext;

beforeAll(async () => {
  ctx = await startOrders({ EXPIRATION_WINDOW_SECONDS: '2' });
});

afterAll(async () => {
  await ctx.close();
});

async function placeOrder(buyer: { id: string }) {
  const ticket = await listTicket(ctx);
  const response = await request(ctx.app)
    .post('/api/orders')
    .set('Cookie', signin(buyer))
    .send({ ticketId: ticket.id });
  expect(response.status).toBe(201);
  return response.body as { id: string; expiresAt: string };
}

async function statusOf(buyer: { id: string }, id: string): Promise<string> {
  return (await request(ctx.app).get(`/api/orders/${id}`).set('Cookie', signin(buyer))).body.status;
}

describe('expiration:complete', () => {
  it('gives orders the window EXPIRATION_WINDOW_SECONDS says', async () => {
    const before = Date.now();
    const order = await placeOrder({ id: randomUUID() });

    const window = Date.parse(order.expiresAt) - before;
    expect(window).toBeGreaterThanOrEqual(2_000);
    expect(window).toBeLessThan(3_000);
  });

  it('cancels an unpaid order once; a repeated expiration changes nothing', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(buyer);

    await publish(ctx.nats, Subjects.ExpirationComplete, { orderId: order.id });
    await waitFor(async () => (await statusOf(buyer, order.id)) === 'cancelled', { message: 'the cancellation' });
    await publish(ctx.nats, Subjects.ExpirationComplete, { orderId: order.id });
    // Orders has handled the repeat and published whatever it queued.
    await settled(ctx);

    const events = await orderEvents(ctx.nats, order.id, 2);
    expect(events.map((e) => [e.subject, e.data.version])).toEqual([
      ['order:created', 0],
      ['order:cancelled', 1],
    ]);
    const shown = await request(ctx.app).get(`/api/orders/${order.id}`).set('Cookie', signin(buyer));
    expect(shown.body).toMatchObject({ status: 'cancelled', version: 1 });
  });

  it('never cancels a paid order', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(buyer);
    await publish(ctx.nats, Subjects.PaymentCreated, { id: randomUUID(), orderId: order.id, chargeId: 'ch_1' });
    await waitFor(async () => (await statusOf(buyer, order.id)) === 'complete', { message: 'the completion' });

    await publish(ctx.nats, Subjects.ExpirationComplete, { orderId: order.id });
    // Orders has handled the expiration and published whatever it queued.
    await settled(ctx);

    expect(await statusOf(buyer, order.id)).toBe('complete');
    expect((await orderEvents(ctx.nats, order.id, 2)).map((e) => e.subject)).toEqual([
      'order:created',
      'order:completed',
    ]);
  });

  it('leaves an order the buyer cancelled as it is', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(buyer);
    await request(ctx.app).delete(`/api/orders/${order.id}`).set('Cookie', signin(buyer)).expect(204);

    await publish(ctx.nats, Subjects.ExpirationComplete, { orderId: order.id });
    // Orders has handled the expiration and published whatever it queued.
    await settled(ctx);

    expect((await orderEvents(ctx.nats, order.id, 2)).map((e) => e.subject)).toEqual([
      'order:created',
      'order:cancelled',
    ]);
  });

  it('acknowledges an expiration for an order it does not know, changing nothing', async () => {
    const unknown = randomUUID();

    await publish(ctx.nats, Subjects.ExpirationComplete, { orderId: unknown });

    const ready = await waitFor(async () => {
      const body = (await request(ctx.app).get('/readyz')).body;
      return body.eventsTerminated === 0 ? body : undefined;
    });
    expect(ready.status).toBe('ready');
  });
});
