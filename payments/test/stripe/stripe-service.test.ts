import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Subjects } from '@ticketing/common/events';
import {
  paymentEvents,
  placeOrder,
  publish,
  signin,
  startPayments,
  testCharges,
  type PaymentsContext,
} from '../payments-app';
import { StripeStandIn } from './stripe-stand-in';

let standIn: StripeStandIn;
let ctx: PaymentsContext;

beforeAll(async () => {
  standIn = new StripeStandIn();
  await standIn.start();
  ctx = await startPayments({ STRIPE_SECRET_KEY: standIn.apiKey, STRIPE_API_URL: standIn.baseUrl });
});

afterAll(async () => {
  await ctx.close();
  await standIn.stop();
});

describe('payments with STRIPE_SECRET_KEY set', () => {
  it('charges through Stripe: 201 with Stripe’s charge id, nothing in the test provider’s ledger', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id, price: 64 });

    const response = await request(ctx.app)
      .post('/api/payments')
      .set('Cookie', signin(buyer))
      .send({ orderId: order.id, token: 'tok_visa' });

    expect(response.status).toBe(201);
    expect(standIn.charges.get(response.body.chargeId)).toMatchObject({ amount: 6400 });
    expect(await testCharges(ctx.database, order.id)).toEqual([]);
    expect(standIn.requestsTo('/v1/payment_intents').at(-1)?.idempotencyKey).toBe(`payment:${order.id}:1`);
  });

  it('answers 402 for a card Stripe declines, and the next card gets its own key', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id });

    const declined = await request(ctx.app)
      .post('/api/payments')
      .set('Cookie', signin(buyer))
      .send({ orderId: order.id, token: 'tok_chargeDeclined' });
    const paid = await request(ctx.app)
      .post('/api/payments')
      .set('Cookie', signin(buyer))
      .send({ orderId: order.id, token: 'tok_visa' });

    expect(declined.status).toBe(402);
    expect(declined.body).toEqual({ errors: [{ message: 'Your card was declined' }] });
    expect(paid.status).toBe(201);
    expect(
      standIn
        .requestsTo('/v1/payment_intents')
        .filter((r) => r.params['metadata[orderId]'] === order.id)
        .map((r) => r.idempotencyKey),
    ).toEqual([`payment:${order.id}:1`, `payment:${order.id}:2`]);
  });

  it('answers 400 with Stripe’s reason for a price below its minimum; a retry is refused the same way', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id, price: 0.2 });

    const pay = () =>
      request(ctx.app)
        .post('/api/payments')
        .set('Cookie', signin(buyer))
        .send({ orderId: order.id, token: 'tok_visa' });
    const first = await pay();
    const second = await pay();

    for (const response of [first, second]) {
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        errors: [{ message: expect.stringMatching(/^The payment provider refused this payment: .*Amount too small/) }],
      });
    }
  });

  it('refunds through Stripe when the paid order is cancelled', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id });
    const paid = await request(ctx.app)
      .post('/api/payments')
      .set('Cookie', signin(buyer))
      .send({ orderId: order.id, token: 'tok_visa' })
      .expect(201);

    await publish(ctx.nats, Subjects.OrderCancelled, { id: order.id, version: 1, ticket: { id: order.ticket.id } });

    const events = await paymentEvents(ctx.nats, order.id, 2);
    expect(events.map((e) => e.subject)).toEqual(['payment:created', 'payment:refunded']);
    expect(standIn.charges.get(paid.body.chargeId)?.refunded).toBe(true);
    expect(standIn.requestsTo('/v1/refunds').at(-1)?.idempotencyKey).toBe(`refund:${order.id}`);
  });
});
