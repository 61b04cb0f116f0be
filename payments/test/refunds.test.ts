import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Subjects } from '@ticketing/common/events';
import { storedEvents, waitFor } from '@ticketing/common/testing';
import type { ChargeRequest, PaymentProvider } from '../src/providers/payment-provider';
import { TestPaymentProvider } from '../src/providers/test-provider';
import {
  copyAt,
  paymentEvents,
  paymentRow,
  published,
  placeOrder,
  publish,
  signin,
  startPayments,
  successfulCharges,
  testRefunds,
  type PaymentsContext,
} from './payments-app';

/** Charges that wait for the test to let them answer, and refunds that fail while told to. */
const gate = {
  held: new Set<string>(),
  waiting: new Map<string, () => void>(),
  refundsFail: false,
  refundCalls: 0,
};

let ctx: PaymentsContext;

beforeAll(async () => {
  ctx = await startPayments(
    {},
    {
      provider: ({ database }): PaymentProvider => {
        const real = new TestPaymentProvider(database.db);
        return {
          name: 'gated test',
          async charge(charge: ChargeRequest) {
            const result = await real.charge(charge);
            if (gate.held.has(charge.orderId)) {
              await new Promise<void>((resolve) => gate.waiting.set(charge.orderId, resolve));
            }
            return result;
          },
          async refund(refund) {
            gate.refundCalls++;
            if (gate.refundsFail) throw new Error('the provider is down');
            return real.refund(refund);
          },
        };
      },
    },
  );
});

afterAll(async () => {
  for (const release of gate.waiting.values()) release();
  await ctx.close();
});

function cancel(order: { id: string; ticket: { id: string } }) {
  return publish(ctx.nats, Subjects.OrderCancelled, { id: order.id, version: 1, ticket: { id: order.ticket.id } });
}

function listPayments(user: { id: string }, query = '') {
  return request(ctx.app).get(`/api/payments${query}`).set('Cookie', signin(user));
}

describe('an order cancelled after its charge succeeded', () => {
  it('is refunded once, with payment:refunded; the buyer sees the payment refunded', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id, price: 15 });
    const paid = await request(ctx.app)
      .post('/api/payments')
      .set('Cookie', signin(buyer))
      .send({ orderId: order.id, token: 'tok_visa' })
      .expect(201);

    await cancel(order);

    const events = await paymentEvents(ctx.nats, order.id, 2);
    expect(events.map((e) => [e.subject, e.data])).toEqual([
      ['payment:created', { id: paid.body.id, orderId: order.id, chargeId: paid.body.chargeId }],
      ['payment:refunded', { id: paid.body.id, orderId: order.id, chargeId: paid.body.chargeId }],
    ]);
    const refunds = await testRefunds(ctx.database, paid.body.chargeId);
    expect(refunds).toEqual([expect.objectContaining({ amountCents: 1500, idempotencyKey: `refund:${order.id}` })]);
    const listed = await listPayments(buyer, `?orderId=${order.id}`);
    expect(listed.body).toEqual([{ ...paid.body, status: 'refunded' }]);
  });

  it('is refunded when the cancellation comes while the charge is in flight; the request answers 400', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id });
    gate.held.add(order.id);
    const paying = request(ctx.app)
      .post('/api/payments')
      .set('Cookie', signin(buyer))
      .send({ orderId: order.id, token: 'tok_visa' })
      .then((r) => r);
    await waitFor(() => gate.waiting.has(order.id), { message: 'the charge in flight' });

    await cancel(order);
    await copyAt(ctx.database, order.id, 1);
    gate.waiting.get(order.id)!();
    const response = await paying;

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message: 'Cannot pay for a cancelled order' }] });
    const events = await paymentEvents(ctx.nats, order.id, 2);
    expect(events.map((e) => e.subject)).toEqual(['payment:created', 'payment:refunded']);
    const [charge] = await successfulCharges(ctx.database, order.id);
    expect(await testRefunds(ctx.database, charge!.chargeId)).toHaveLength(1);
  });

  it('keeps trying a refund the provider cannot make yet, and refunds once when it can', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id });
    const paid = await request(ctx.app)
      .post('/api/payments')
      .set('Cookie', signin(buyer))
      .send({ orderId: order.id, token: 'tok_visa' })
      .expect(201);
    gate.refundsFail = true;
    const callsBefore = gate.refundCalls;

    await cancel(order);
    await waitFor(() => gate.refundCalls > callsBefore, { message: 'a refund attempt' });
    expect((await paymentRow(ctx.database, order.id))?.status).toBe('refunding');
    expect((await listPayments(buyer, `?orderId=${order.id}`)).body[0].status).toBe('refunding');
    gate.refundsFail = false;

    await waitFor(async () => (await paymentRow(ctx.database, order.id))?.status === 'refunded', {
      message: 'the refund',
    });
    expect(await testRefunds(ctx.database, paid.body.chargeId)).toHaveLength(1);
    expect((await paymentEvents(ctx.nats, order.id, 2)).map((e) => e.subject)).toEqual([
      'payment:created',
      'payment:refunded',
    ]);
  });

  it('needs no refund for an order cancelled before it was paid, nor for a declined card', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id });
    await request(ctx.app)
      .post('/api/payments')
      .set('Cookie', signin(buyer))
      .send({ orderId: order.id, token: 'tok_chargeDeclined' })
      .expect(402);

    await cancel(order);
    // The cancellation is handled: whatever it changed is committed (a refund would leave the
    // payment 'refunding'), and once the outbox is empty whatever it queued is in the stream.
    await copyAt(ctx.database, order.id, 1);
    await published(ctx.service);

    expect((await paymentRow(ctx.database, order.id))?.status).toBe('declined');
    const events = await storedEvents(ctx.nats.client, {
      subjects: [Subjects.PaymentCreated, Subjects.PaymentRefunded],
    });
    expect(events.filter((e) => e.data.orderId === order.id)).toEqual([]);
    expect((await listPayments(buyer, `?orderId=${order.id}`)).body[0]).toMatchObject({
      status: 'declined',
      chargeId: null,
    });
  });
});

describe('GET /api/payments', () => {
  it('responds 401 when not signed in', async () => {
    const response = await request(ctx.app).get('/api/payments');

    expect(response.status).toBe(401);
    expect(response.body).toEqual({ errors: [{ message: 'Not authorized' }] });
  });

  it('responds 400 on orderId when it is not a UUID', async () => {
    const response = await listPayments({ id: randomUUID() }, '?orderId=nope');

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message: 'OrderId must be a UUID', field: 'orderId' }] });
  });

  it("lists only the caller's payments, newest first, or one order's", async () => {
    const buyer = { id: randomUUID() };
    const first = await placeOrder(ctx, { userId: buyer.id });
    const second = await placeOrder(ctx, { userId: buyer.id });
    const someoneElses = await placeOrder(ctx);
    for (const [user, order] of [
      [buyer.id, first],
      [buyer.id, second],
      [someoneElses.userId, someoneElses],
    ] as const) {
      await request(ctx.app)
        .post('/api/payments')
        .set('Cookie', signin({ id: user }))
        .send({ orderId: order.id, token: 'tok_visa' })
        .expect(201);
    }

    const all = await listPayments(buyer);
    const one = await listPayments(buyer, `?orderId=${first.id}`);
    const notMine = await listPayments(buyer, `?orderId=${someoneElses.id}`);

    expect(all.body.map((p: { orderId: string }) => p.orderId)).toEqual([second.id, first.id]);
    expect(one.body).toEqual([expect.objectContaining({ orderId: first.id, status: 'succeeded', amount: 20 })]);
    expect(notMine.body).toEqual([]);
  });
});
