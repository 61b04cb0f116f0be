import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { Subjects } from '@ticketing/common/events';
import { copyAt, handled, newOrder, publish, signin, startPayments, type PaymentsContext } from './payments-app';

let ctx: PaymentsContext;

beforeAll(async () => {
  ctx = await startPayments();
});

afterAll(async () => {
  await ctx.close();
});

describe("payments' copy of orders", () => {
  it('keeps the order with its price in cents from order:created', async () => {
    const order = newOrder({ price: 12.34 });

    await publish(ctx.nats, Subjects.OrderCreated, order);

    expect(await copyAt(ctx.database, order.id, 0)).toEqual({
      id: order.id,
      userId: order.userId,
      status: 'created',
      priceCents: 1234,
      version: 0,
      expiresAt: new Date(order.expiresAt),
    });
  });

  it('applies a cancellation that arrives before its order once the order is there', async () => {
    const order = newOrder();

    await publish(ctx.nats, Subjects.OrderCancelled, { id: order.id, version: 1, ticket: order.ticket });
    await publish(ctx.nats, Subjects.OrderCreated, order);

    expect((await copyAt(ctx.database, order.id, 1)).status).toBe('cancelled');
  });

  it('marks a completed order complete, and ignores a repeated or older version', async () => {
    const order = newOrder();
    await publish(ctx.nats, Subjects.OrderCreated, order);
    await publish(ctx.nats, Subjects.OrderCompleted, { id: order.id, version: 1, ticket: order.ticket });
    await copyAt(ctx.database, order.id, 1);

    await publish(ctx.nats, Subjects.OrderCreated, { ...order, ticket: { ...order.ticket, price: 99 } });
    await publish(ctx.nats, Subjects.OrderCancelled, { id: order.id, version: 1, ticket: order.ticket });
    // Payments has handled both: whatever they changed is committed.
    await handled(ctx);

    expect(await copyAt(ctx.database, order.id, 1)).toMatchObject({ status: 'complete', priceCents: 2000 });
  });

  it('lets a payment for an order it has not heard of yet answer 404, and succeed once it has', async () => {
    const buyer = { id: randomUUID() };
    const order = newOrder({ userId: buyer.id });

    const early = await request(ctx.app)
      .post('/api/payments')
      .set('Cookie', signin(buyer))
      .send({ orderId: order.id, token: 'tok_visa' });
    await publish(ctx.nats, Subjects.OrderCreated, order);
    await copyAt(ctx.database, order.id, 0);
    const later = await request(ctx.app)
      .post('/api/payments')
      .set('Cookie', signin(buyer))
      .send({ orderId: order.id, token: 'tok_visa' });

    expect([early.status, later.status]).toEqual([404, 201]);
  });
});
