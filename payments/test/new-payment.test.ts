import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Subjects } from '@ticketing/common/events';
import { SUCCEEDING_TEST_TOKENS, DECLINED_TEST_TOKENS } from '../src/providers/test-tokens';
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
  testCharges,
  type PaymentsContext,
} from './payments-app';

let ctx: PaymentsContext;

beforeAll(async () => {
  ctx = await startPayments();
});

afterAll(async () => {
  await ctx.close();
});

function pay(user: { id: string }, body: object) {
  return request(ctx.app).post('/api/payments').set('Cookie', signin(user)).send(body);
}

describe('POST /api/payments', () => {
  it('responds 401 when not signed in', async () => {
    const response = await request(ctx.app).post('/api/payments').send({ orderId: randomUUID(), token: 'tok_visa' });

    expect(response.status).toBe(401);
    expect(response.body).toEqual({ errors: [{ message: 'Not authorized' }] });
  });

  it.each([
    ['missing', { token: 'tok_visa' }],
    ['not a UUID', { orderId: 'abc', token: 'tok_visa' }],
    ['a number', { orderId: 42, token: 'tok_visa' }],
  ])('responds 400 on orderId when it is %s', async (_case, body) => {
    const response = await pay({ id: randomUUID() }, body);

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message: 'OrderId must be provided', field: 'orderId' }] });
  });

  it.each([
    ['missing', {}],
    ['empty', { token: '' }],
    ['blank', { token: '   ' }],
    ['a number', { token: 4242 }],
  ])('responds 400 on token when it is %s', async (_case, fields) => {
    const response = await pay({ id: randomUUID() }, { orderId: randomUUID(), ...fields });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message: 'Token must be provided', field: 'token' }] });
  });

  it('responds 400 on token, saying its limit, when it is longer than 255 characters', async () => {
    const response = await pay({ id: randomUUID() }, { orderId: randomUUID(), token: `tok_${'x'.repeat(252)}` });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message: 'Token must be at most 255 characters', field: 'token' }] });
  });

  it('names both fields when both are missing', async () => {
    const response = await pay({ id: randomUUID() }, {});

    expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(['orderId', 'token']);
  });

  it('responds 404 for an order payments does not know', async () => {
    const response = await pay({ id: randomUUID() }, { orderId: randomUUID(), token: 'tok_visa' });

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ errors: [{ message: 'Not Found' }] });
  });

  it('responds 401 "Not authorized" for someone else\'s order, and charges nothing', async () => {
    const order = await placeOrder(ctx);

    const response = await pay({ id: randomUUID() }, { orderId: order.id, token: 'tok_visa' });

    expect(response.status).toBe(401);
    expect(response.body).toEqual({ errors: [{ message: 'Not authorized' }] });
    expect(await testCharges(ctx.database, order.id)).toEqual([]);
  });

  it('charges the price in cents, USD: 201 with the payment, and payment:created as the contract says', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id, price: 49.99 });

    const response = await pay(buyer, { orderId: order.id, token: 'tok_visa' });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      orderId: order.id,
      chargeId: expect.stringMatching(/^ch_test_/),
      status: 'succeeded',
      amount: 49.99,
      currency: 'usd',
      createdAt: expect.stringMatching(/Z$/),
    });
    const charges = await testCharges(ctx.database, order.id);
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({
      amountCents: 4999,
      currency: 'usd',
      outcome: 'succeeded',
      chargeId: response.body.chargeId,
    });
    const [event] = await paymentEvents(ctx.nats, order.id, 1);
    expect(event).toMatchObject({
      subject: 'payment:created',
      data: { id: response.body.id, orderId: order.id, chargeId: response.body.chargeId },
    });
  });

  it.each([
    ['a NUL', 'tok_\u0000visa'],
    ['a line break', 'tok_visa\n'],
  ])('responds 400 on token when it holds %s, charging nothing', async (_case, token) => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id });

    const response = await pay(buyer, { orderId: order.id, token });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      errors: [{ message: 'Token must not contain control characters', field: 'token' }],
    });
    expect(await testCharges(ctx.database, order.id)).toEqual([]);
  });

  it('takes the order id in any case and with spaces around it', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id });

    const response = await pay(buyer, { orderId: ` ${order.id.toUpperCase()} `, token: 'tok_visa' });

    expect(response.status).toBe(201);
    expect(response.body.orderId).toBe(order.id);
  });

  it('responds 400 "Order is already paid" to a second payment, charging nothing more', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id });
    await pay(buyer, { orderId: order.id, token: 'tok_visa' }).expect(201);

    const again = await pay(buyer, { orderId: order.id, token: 'tok_mastercard' });

    expect(again.status).toBe(400);
    expect(again.body).toEqual({ errors: [{ message: 'Order is already paid' }] });
    expect(await testCharges(ctx.database, order.id)).toHaveLength(1);
  });

  it('responds 400 "Order is already paid" for an order orders has completed', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id });
    await publish(ctx.nats, Subjects.OrderCompleted, { id: order.id, version: 1, ticket: { id: order.ticket.id } });
    await copyAt(ctx.database, order.id, 1);

    const response = await pay(buyer, { orderId: order.id, token: 'tok_visa' });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message: 'Order is already paid' }] });
  });

  it('responds 400 "Cannot pay for a cancelled order", charging nothing', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id });
    await publish(ctx.nats, Subjects.OrderCancelled, { id: order.id, version: 1, ticket: { id: order.ticket.id } });
    await copyAt(ctx.database, order.id, 1);

    const response = await pay(buyer, { orderId: order.id, token: 'tok_visa' });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message: 'Cannot pay for a cancelled order' }] });
    expect(await testCharges(ctx.database, order.id)).toEqual([]);
  });

  it('responds 402 "Your card was declined", then takes another card for the same order', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id });

    const declined = await pay(buyer, { orderId: order.id, token: 'tok_chargeDeclined' });
    const declinedAgain = await pay(buyer, { orderId: order.id, token: 'tok_chargeDeclined' });
    const paid = await pay(buyer, { orderId: order.id, token: 'tok_visa' });

    expect(declined.status).toBe(402);
    expect(declined.body).toEqual({ errors: [{ message: 'Your card was declined' }] });
    expect(declinedAgain.status).toBe(402);
    expect(paid.status).toBe(201);
    // Each attempt had its own idempotency key: a retry of a declined attempt would be declined again.
    const charges = await testCharges(ctx.database, order.id);
    expect(charges.map((c) => [c.idempotencyKey, c.outcome])).toEqual([
      [`payment:${order.id}:1`, 'declined'],
      [`payment:${order.id}:2`, 'declined'],
      [`payment:${order.id}:3`, 'succeeded'],
    ]);
    expect((await paymentEvents(ctx.nats, order.id, 1)).map((e) => e.subject)).toEqual(['payment:created']);
  });

  it.each(DECLINED_TEST_TOKENS)('declines %s, as Stripe documents', async (token) => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id });

    expect((await pay(buyer, { orderId: order.id, token })).status).toBe(402);
  });

  it('accepts every test card Stripe documents as succeeding', async () => {
    for (const token of [...SUCCEEDING_TEST_TOKENS, 'pm_card_visa']) {
      const buyer = { id: randomUUID() };
      const order = await placeOrder(ctx, { userId: buyer.id });

      const response = await pay(buyer, { orderId: order.id, token });

      expect([token, response.status]).toEqual([token, 201]);
    }
  });

  it('responds 400 on token for a token that is no card, and lets the buyer try another', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id });

    const response = await pay(buyer, { orderId: order.id, token: 'tok_nonsense' });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message: 'Token is not a card that can be charged', field: 'token' }] });
    expect((await paymentRow(ctx.database, order.id))?.status).toBe('declined');
    expect((await pay(buyer, { orderId: order.id, token: 'tok_visa' })).status).toBe(201);
  });

  it('lets exactly one of 20 payments racing for one order charge it; the others hear it is paid', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id });

    const responses = await Promise.all(
      Array.from({ length: 20 }, () => pay(buyer, { orderId: order.id, token: 'tok_visa' })),
    );

    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    const refused = responses.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(19);
    for (const response of refused) {
      expect([response.status, response.body]).toEqual([400, { errors: [{ message: 'Order is already paid' }] }]);
    }
    expect(await successfulCharges(ctx.database, order.id)).toHaveLength(1);
    // Every request has answered: once the outbox is empty, every event they queued is in the stream.
    await published(ctx.service);
    expect(await paymentEvents(ctx.nats, order.id, 1)).toHaveLength(1);
  });

  it('with 20 declined cards racing, tries them one after another and charges nothing', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id });

    const responses = await Promise.all(
      Array.from({ length: 20 }, () => pay(buyer, { orderId: order.id, token: 'tok_chargeDeclined' })),
    );

    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(402));
    expect(await successfulCharges(ctx.database, order.id)).toEqual([]);
    expect((await paymentRow(ctx.database, order.id))?.attempt).toBe(20);
  });
});
