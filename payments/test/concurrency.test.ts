import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { waitFor } from '@ticketing/common/testing';
import type { PaymentProvider } from '../src/providers/payment-provider';
import { TestPaymentProvider } from '../src/providers/test-provider';
import {
  paymentEvents,
  paymentRow,
  published,
  placeOrder,
  signin,
  startPayments,
  successfulCharges,
  type PaymentsContext,
} from './payments-app';

/** Every charge the provider was asked for, by order. */
const calls = new Map<string, number>();
/** Orders whose next charge is made, but its answer lost on the way back. */
const loseAnswer = new Set<string>();
/** Orders whose charges take this long. */
const slowerFor = new Map<string, number>();

let ctx: PaymentsContext;

beforeAll(async () => {
  ctx = await startPayments(
    { PAYMENT_LEASE_SECONDS: '2' },
    {
      waitMs: 1_000,
      // No sweep: what happens here is the requests' doing alone.
      sweepIntervalMs: 3_600_000,
      // A provider that takes its time, as a real one does: the other requests arrive while the first is in flight.
      provider: ({ database }): PaymentProvider => {
        const real = new TestPaymentProvider(database.db);
        return {
          name: 'slow test',
          async charge(charge) {
            calls.set(charge.orderId, (calls.get(charge.orderId) ?? 0) + 1);
            // Setup: the charge is in flight while the other requests arrive.
            await new Promise((resolve) => setTimeout(resolve, slowerFor.get(charge.orderId) ?? 300));
            const result = await real.charge(charge);
            if (loseAnswer.delete(charge.orderId)) throw new Error('socket hang up');
            return result;
          },
          refund: (refund) => real.refund(refund),
        };
      },
    },
  );
});

afterAll(async () => {
  await ctx.close();
});

function pay(buyer: { id: string }, orderId: string, token: string) {
  return request(ctx.app).post('/api/payments').set('Cookie', signin(buyer)).send({ orderId, token });
}

describe('payments racing for one order while the provider is slow', () => {
  it('send one charge to the provider; the others wait for it and hear the order is paid', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id });

    const responses = await Promise.all(Array.from({ length: 20 }, () => pay(buyer, order.id, 'tok_visa')));

    expect(responses.map((r) => r.status).sort()).toEqual([201, ...Array(19).fill(400)]);
    for (const refused of responses.filter((r) => r.status === 400)) {
      expect(refused.body).toEqual({ errors: [{ message: 'Order is already paid' }] });
    }
    expect(calls.get(order.id)).toBe(1);
    expect(await successfulCharges(ctx.database, order.id)).toHaveLength(1);
    // Every request has answered: once the outbox is empty, every event they queued is in the stream.
    await published(ctx.service);
    expect(await paymentEvents(ctx.nats, order.id, 1)).toHaveLength(1);
  });

  it('after a decline in flight, let the next waiting request try its own card', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id });

    const declined = pay(buyer, order.id, 'tok_chargeDeclined').then((r) => r);
    await waitFor(async () => (await paymentRow(ctx.database, order.id))?.status === 'pending');
    const visa = pay(buyer, order.id, 'tok_visa');

    expect([(await declined).status, (await visa).status]).toEqual([402, 201]);
    expect(calls.get(order.id)).toBe(2);
  });

  it('answer 409 to a request that waited longer than its limit, and never 500', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id });
    slowerFor.set(order.id, 1_800);

    const first = pay(buyer, order.id, 'tok_visa').then((r) => r);
    await waitFor(async () => (await paymentRow(ctx.database, order.id))?.status === 'pending');
    const impatient = await pay(buyer, order.id, 'tok_visa');

    expect(impatient.status).toBe(409);
    expect(impatient.body).toEqual({
      errors: [{ message: 'A payment for this order is in progress, please try again shortly' }],
    });
    expect((await first).status).toBe(201);
    expect(calls.get(order.id)).toBe(1);
  });
});

describe('a charge whose answer is lost', () => {
  it('answers 503, and the retry finishes that charge instead of making another', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id });
    loseAnswer.add(order.id);

    const lost = await pay(buyer, order.id, 'tok_visa');
    expect(lost.status).toBe(503);
    expect(lost.body).toEqual({
      errors: [{ message: 'The payment provider is unavailable, please try again shortly' }],
    });
    expect((await paymentRow(ctx.database, order.id))?.status).toBe('pending');
    const [charge] = await successfulCharges(ctx.database, order.id);

    // After the provider failed, the attempt waits a moment (for this retry or the sweep).
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const retry = await pay(buyer, order.id, 'tok_visa');

    expect([retry.status, retry.body.chargeId]).toEqual([201, charge!.chargeId]);
    expect(await successfulCharges(ctx.database, order.id)).toHaveLength(1);
    expect((await paymentEvents(ctx.nats, order.id, 1)).map((e) => e.subject)).toEqual(['payment:created']);
  });
});
