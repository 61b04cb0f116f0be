import type { NatsWrapper } from '@ticketing/common/events';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import request from 'supertest';
import { Subjects } from '@ticketing/common/events';
import {
  startNatsServer,
  startTestService,
  storedEvents,
  waitFor,
  type TestNatsServer,
  type TestService,
} from '@ticketing/common/testing';
import { orders as ordersTable, tickets as ticketCopies } from '../../orders/src/db/schema';
import { ordersService } from '../../orders/src/service';
import { paymentsService } from '../src/service';
import { copyAt, paymentEvents, paymentRow, publish, signin, successfulCharges, testRefunds } from './payments-app';

const RUNS = 50;

let nats: TestNatsServer;
let orders: TestService<typeof ordersService.database.schema, unknown>;
let payments: TestService<typeof paymentsService.database.schema, unknown>;
/** The test's own connection: it lists tickets and expires orders as tickets and expiration would. */
let bus: NatsWrapper;

beforeAll(async () => {
  nats = await startNatsServer();
  [orders, payments] = await Promise.all([
    startTestService(ordersService, { nats: nats }),
    startTestService(paymentsService, { nats: nats }),
  ]);
  bus = await nats.wrapper();
}, 60_000);

afterAll(async () => {
  await Promise.all([orders?.close(), payments?.close()]);
  await bus?.close();
  await nats.destroy();
});

/** Lists a ticket where orders sees it, orders it as the buyer and waits until payments knows the order. */
async function reserve(buyer: { id: string }) {
  const ticket = { id: randomUUID(), version: 0, title: 'Race', price: 10, userId: randomUUID() };
  await publish(bus, Subjects.TicketCreated, ticket);
  await waitFor(
    async () => (await orders.database.db.select().from(ticketCopies).where(eq(ticketCopies.id, ticket.id))).length,
  );
  const order = await request(orders.server)
    .post('/api/orders')
    .set('Cookie', signin(buyer))
    .send({ ticketId: ticket.id });
  expect(order.status).toBe(201);
  await copyAt(payments.database, order.body.id, 0);
  return order.body as { id: string };
}

/** Where the order and its money end up once nothing is in flight any more. */
async function settled(orderId: string) {
  return waitFor(
    async () => {
      const [order] = await orders.database.db.select().from(ordersTable).where(eq(ordersTable.id, orderId));
      const payment = await paymentRow(payments.database, orderId);
      if (order?.status === 'created') return undefined;
      if (payment?.status === 'pending' || payment?.status === 'refunding') return undefined;
      // Paid while the cancellation is on its way to payments: not settled yet.
      if (order?.status === 'cancelled' && payment?.status === 'succeeded') return undefined;
      if (order?.status === 'complete' && payment?.status !== 'succeeded') return undefined;
      return { order: order!.status, payment: payment?.status ?? 'none' };
    },
    { timeoutMs: 15_000, message: `order ${orderId} to settle` },
  );
}

describe('paying while the order expires, orders and payments on one bus', () => {
  it(`ends paid and never cancelled, or cancelled and never charged or refunded — ${RUNS} times`, async () => {
    const outcomes: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      const buyer = { id: randomUUID() };
      const order = await reserve(buyer);

      const [paid] = await Promise.all([
        request(payments.server)
          .post('/api/payments')
          .set('Cookie', signin(buyer))
          .send({ orderId: order.id, token: 'tok_visa' }),
        // Expiration fires at a slightly different moment each run.
        new Promise((resolve) => setTimeout(resolve, run % 10)).then(() =>
          publish(bus, Subjects.ExpirationComplete, { orderId: order.id }),
        ),
      ]);
      expect([201, 400]).toContain(paid.status);

      const end = await settled(order.id);
      const charges = await successfulCharges(payments.database, order.id);
      expect(charges.length).toBeLessThanOrEqual(1);
      const events = (
        await storedEvents(bus.client, {
          subjects: [
            Subjects.PaymentCreated,
            Subjects.PaymentRefunded,
            Subjects.OrderCancelled,
            Subjects.OrderCompleted,
          ],
        })
      )
        .filter((e) => e.data.orderId === order.id || e.data.id === order.id)
        .map((e) => e.subject);
      if (end.order === 'complete') {
        expect(paid.status).toBe(201);
        expect(end.payment).toBe('succeeded');
        expect(await testRefunds(payments.database, charges[0]!.chargeId)).toEqual([]);
        expect(events).not.toContain('order:cancelled');
        outcomes.push('paid');
      } else {
        expect(end.order).toBe('cancelled');
        if (charges.length === 1) {
          // Charged before payments heard of the cancellation (the request may even have answered 201).
          expect(end.payment).toBe('refunded');
          expect(await testRefunds(payments.database, charges[0]!.chargeId)).toHaveLength(1);
          const refunded = await paymentEvents(bus, order.id, 2);
          expect(refunded.map((e) => e.subject)).toEqual(['payment:created', 'payment:refunded']);
          outcomes.push('refunded');
        } else {
          expect(paid.status).toBe(400);
          expect(end.payment).toBe('none');
          outcomes.push('never charged');
        }
        expect(events).not.toContain('order:completed');
      }
    }
    expect(outcomes).toHaveLength(RUNS);
  }, 240_000);
});
