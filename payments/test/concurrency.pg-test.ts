// Runs only in the PostgreSQL-server tier (TEST_DATABASE_URL): two replicas need two sessions.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { openDatabase } from '@ticketing/common/db';
import { Subjects } from '@ticketing/common/events';
import { startTestService, type TestService } from '@ticketing/common/testing';
import { migrationsFolder } from '../src/db/migrations-folder';
import { schema, type PaymentsSchema } from '../src/db/schema';
import type { PaymentProvider } from '../src/providers/payment-provider';
import { TestPaymentProvider } from '../src/providers/test-provider';
import { createPaymentsService, type PaymentsServiceOptions } from '../src/service';
import {
  copyAt,
  paymentEvents,
  placeOrder,
  published,
  publish,
  signin,
  startPayments,
  successfulCharges,
  testRefunds,
  type PaymentsContext,
} from './payments-app';

/** How many charges each instance's provider was asked for. */
let providerCalls = 0;

/** The test provider, taking its time as a real one does: requests on both instances arrive while one is in flight. */
const slow: PaymentsServiceOptions['provider'] = ({ database }): PaymentProvider => {
  const real = new TestPaymentProvider(database.db);
  return {
    name: 'slow test',
    async charge(charge) {
      providerCalls++;
      // Setup: the charge is in flight while the other requests arrive.
      await new Promise((resolve) => setTimeout(resolve, 300));
      return real.charge(charge);
    },
    refund: (refund) => real.refund(refund),
  };
};

let ctx: PaymentsContext;
let replica: TestService<PaymentsSchema, unknown>;

beforeAll(async () => {
  ctx = await startPayments({}, { provider: slow });
  // A second payments instance on the same database, as a second pod would be.
  const pool = await openDatabase({ schema, migrationsFolder, url: ctx.database.url });
  replica = await startTestService(createPaymentsService({ provider: slow }), {
    nats: ctx.server,
    database: pool,
  });
});

afterAll(async () => {
  await replica?.stop();
  await replica?.database.close();
  await ctx.close();
});

describe('two payments instances on one PostgreSQL server', () => {
  it('let exactly one of 20 payments racing through both charge the order', async () => {
    expect(ctx.database.kind).toBe('postgres');
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id });
    await copyAt(replica.database, order.id, 0);
    const instances = [ctx.app, replica.server];
    const callsBefore = providerCalls;

    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request(instances[i % 2]!)
          .post('/api/payments')
          .set('Cookie', signin(buyer))
          .send({ orderId: order.id, token: 'tok_visa' }),
      ),
    );

    expect(responses.map((r) => r.status).sort()).toEqual([201, ...Array(19).fill(400)]);
    for (const refused of responses.filter((r) => r.status === 400)) {
      expect(refused.body).toEqual({ errors: [{ message: 'Order is already paid' }] });
    }
    expect(providerCalls - callsBefore).toBe(1);
    expect(await successfulCharges(ctx.database, order.id)).toHaveLength(1);
    // Every request has answered: once the outbox (one table, both instances') is empty, every
    // event they queued is in the stream.
    await published(ctx.service);
    expect(await paymentEvents(ctx.nats, order.id, 1)).toHaveLength(1);
  });

  it('refund a paid order once when both hear of its cancellation', async () => {
    const buyer = { id: randomUUID() };
    const order = await placeOrder(ctx, { userId: buyer.id });
    await copyAt(replica.database, order.id, 0);
    const paid = await request(replica.server)
      .post('/api/payments')
      .set('Cookie', signin(buyer))
      .send({ orderId: order.id, token: 'tok_visa' })
      .expect(201);

    await publish(ctx.nats, Subjects.OrderCancelled, { id: order.id, version: 1, ticket: { id: order.ticket.id } });

    const events = await paymentEvents(ctx.nats, order.id, 2);
    expect(events.map((e) => e.subject)).toEqual(['payment:created', 'payment:refunded']);
    expect(await testRefunds(ctx.database, paid.body.chargeId)).toHaveLength(1);
  });
});
