import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createLogger, Subjects, type Event, type Listener } from '@ticketing/common/events';
import { waitFor } from '@ticketing/common/testing';
import {
  copyAt,
  newOrder,
  paymentRow,
  publish,
  signin,
  startPayments,
  successfulCharges,
  testCharges,
  type PaymentsContext,
} from './payments-app';

let ctx: PaymentsContext;

beforeAll(async () => {
  // Room to start a listener again while a payment waits (see holdBack); 1 s in the service.
  ctx = await startPayments({}, { catchUpMs: 5_000 });
});

afterAll(async () => {
  await ctx.close();
});

const pay = (userId: string, orderId: string) =>
  request(ctx.app)
    .post('/api/payments')
    .set('Cookie', signin({ id: userId }))
    .send({ orderId, token: 'tok_visa' });

describe('an order whose time is up', () => {
  it('is refused with 400 "Order has expired" and charged nothing, though expiration has not cancelled it yet', async () => {
    const order = { ...newOrder(), expiresAt: new Date(Date.now() - 1).toISOString() };
    await publish(ctx.nats, Subjects.OrderCreated, order);
    await copyAt(ctx.database, order.id, 0);

    const response = await pay(order.userId, order.id);

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message: 'Order has expired' }] });
    expect(await testCharges(ctx.database, order.id)).toEqual([]);
    expect(await paymentRow(ctx.database, order.id)).toBeUndefined();
  });

  it('once paid, is still "Order is already paid" when asked again after its expiresAt', async () => {
    const order = { ...newOrder(), expiresAt: new Date(Date.now() + 1_500).toISOString() };
    await publish(ctx.nats, Subjects.OrderCreated, order);
    await copyAt(ctx.database, order.id, 0);
    expect((await pay(order.userId, order.id)).status).toBe(201);

    // No orders service here: the copy never hears of the completion, as when it is slow to.
    await waitFor(() => Date.now() > Date.parse(order.expiresAt), { message: 'the order’s expiresAt' });
    const again = await pay(order.userId, order.id);

    expect([again.status, again.body]).toEqual([400, { errors: [{ message: 'Order is already paid' }] }]);
  });

  it('is paid up to its expiresAt', async () => {
    const order = { ...newOrder(), expiresAt: new Date(Date.now() + 60_000).toISOString() };
    await publish(ctx.nats, Subjects.OrderCreated, order);
    await copyAt(ctx.database, order.id, 0);

    expect((await pay(order.userId, order.id)).status).toBe(201);
  });
});

/**
 * Stops payments' own listener for `subject` (its durable consumer keeps what arrives), and
 * returns a function that starts another on the same consumer after `delayMs`: the bus holds
 * an event that payments has not taken in yet, as it does for a moment after any publish.
 */
async function holdBack(subject: Subjects, delayMs: number): Promise<() => Promise<void>> {
  const listener = ctx.service.listeners().find((candidate) => candidate.subject === subject)!;
  await listener.close();
  const Replacement = listener.constructor as new (...args: unknown[]) => Listener<Event>;
  // As quiet as the service's own listeners in a test.
  const silent = createLogger('payments', 'silent');
  const replacement =
    subject === Subjects.OrderCancelled
      ? new Replacement(ctx.nats.client, ctx.database, () => {}, silent)
      : new Replacement(ctx.nats.client, ctx.database, silent);
  const started = new Promise<void>((resolve, reject) =>
    setTimeout(() => replacement.listen().then(resolve, reject), delayMs),
  );
  return async () => {
    await started;
    await replacement.close();
  };
}

describe('what the bus says a moment before the payment', () => {
  it('a cancellation in the stream but not yet taken in: answered with the cancellation, never charged', async () => {
    const order = newOrder();
    await publish(ctx.nats, Subjects.OrderCreated, order);
    await copyAt(ctx.database, order.id, 0);
    const release = await holdBack(Subjects.OrderCancelled, 300);

    await publish(ctx.nats, Subjects.OrderCancelled, { id: order.id, version: 1, ticket: { id: order.ticket.id } });
    const response = await pay(order.userId, order.id);
    await release();

    expect([response.status, response.body]).toEqual([
      400,
      { errors: [{ message: 'Cannot pay for a cancelled order' }] },
    ]);
    expect(await successfulCharges(ctx.database, order.id)).toEqual([]);
  });

  it('an order in the stream but not yet taken in: paid, not a 404', async () => {
    const order = newOrder({ price: 7.25 });
    const release = await holdBack(Subjects.OrderCreated, 300);

    await publish(ctx.nats, Subjects.OrderCreated, order);
    const response = await pay(order.userId, order.id);
    await release();

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ orderId: order.id, amount: 7.25 });
  });

  it('a payment for an order nobody placed is still a 404', async () => {
    const response = await pay(randomUUID(), randomUUID());

    expect(response.status).toBe(404);
  });
});
