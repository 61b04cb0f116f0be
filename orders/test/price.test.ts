import type { NatsWrapper } from '@ticketing/common/events';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Subjects } from '@ticketing/common/events';
import { eq } from 'drizzle-orm';
import {
  startNatsServer,
  startTcpProxy,
  startTestService,
  storedEvents,
  waitFor,
  type TcpProxy,
  type TestNatsServer,
  type TestService,
} from '@ticketing/common/testing';
import { orders, type OrdersSchema } from '../src/db/schema';
import { ordersService } from '../src/service';
import { copyAt, listTicket, newTicket, publish, signin, startOrders, type OrdersContext } from './orders-app';

let ctx: OrdersContext;

beforeAll(async () => {
  ctx = await startOrders();
});

afterAll(async () => {
  await ctx.close();
});

describe('the price an order was placed at', () => {
  it('stays the order’s when the listing changes its price afterwards, on every route', async () => {
    const ticket = await listTicket(ctx, { title: 'Recital', price: 1 });
    const buyer = { id: randomUUID() };
    const placed = await request(ctx.app)
      .post('/api/orders')
      .set('Cookie', signin(buyer))
      .send({ ticketId: ticket.id })
      .expect(201);

    // The seller's edit raced the reservation: tickets allowed it, and orders' copy follows.
    await publish(ctx.nats, Subjects.TicketUpdated, { ...ticket, version: 1, price: 900, orderId: null });
    await copyAt(ctx.database, ticket.id, 1);

    const shown = await request(ctx.app).get(`/api/orders/${placed.body.id}`).set('Cookie', signin(buyer));
    const listed = await request(ctx.app).get('/api/orders').set('Cookie', signin(buyer));
    expect(placed.body.ticket.price).toBe(1);
    expect(shown.body.ticket.price).toBe(1);
    expect(listed.body.map((order: { ticket: { price: number } }) => order.ticket.price)).toEqual([1]);
    const [created] = (await storedEvents(ctx.nats.client, { subjects: [Subjects.OrderCreated] })).filter(
      (event) => event.data.id === placed.body.id,
    );
    expect(created!.data.ticket.price).toBe(1);
  });

  it('is the copy’s price at the moment of the order: a new order after the edit pays the new price', async () => {
    const ticket = await listTicket(ctx, { price: 100 });
    await publish(ctx.nats, Subjects.TicketUpdated, { ...ticket, version: 1, price: 1, orderId: null });
    await copyAt(ctx.database, ticket.id, 1);

    const placed = await request(ctx.app).post('/api/orders').set('Cookie', signin()).send({ ticketId: ticket.id });

    expect(placed.body.ticket.price).toBe(1);
  });
});

describe('a cancellation', () => {
  describe('however slow the bus', () => {
    let server: TestNatsServer;
    let proxy: TcpProxy;
    let slow: TestService<OrdersSchema, unknown>;
    /** The test's own connection: it lists tickets as tickets would. */
    let tickets: NatsWrapper;

    beforeAll(async () => {
      // A bus of its own: these orders must not share the consumers of the ones above.
      server = await startNatsServer();
      proxy = await startTcpProxy(server.port);
      tickets = await server.wrapper();
      slow = await startTestService(ordersService, {
        nats: { url: `nats://127.0.0.1:${proxy.port}`, seedOf: (name) => server.seedOf(name) },
      });
    });

    afterAll(async () => {
      await slow?.close();
      await tickets?.close();
      await proxy?.close();
      await server?.destroy();
    });

    afterEach(() => {
      proxy.delayMs = 0;
    });

    /** A reserved order on the slow orders; from then on orders reaches the bus through a link holding every byte 150 ms each way. */
    async function placeSlowly(buyer: { id: string }) {
      const ticket = newTicket();
      await publish(tickets, Subjects.TicketCreated, ticket);
      await copyAt(slow.database, ticket.id, 0);
      const placed = await request(slow.server)
        .post('/api/orders')
        .set('Cookie', signin(buyer))
        .send({ ticketId: ticket.id });
      proxy.delayMs = 150;
      return placed.body as { id: string };
    }

    async function cancellationsInStream(orderId: string) {
      const direct = await server.connect();
      try {
        const events = await storedEvents(direct, { subjects: [Subjects.OrderCancelled] });
        return events.filter((event) => event.data.id === orderId);
      } finally {
        await direct.close();
      }
    }

    it('is answered once its order:cancelled is on the bus: a payment sent next finds it there', async () => {
      const buyer = { id: randomUUID() };
      const order = await placeSlowly(buyer);

      await request(slow.server).delete(`/api/orders/${order.id}`).set('Cookie', signin(buyer)).expect(204);

      expect(await cancellationsInStream(order.id)).toHaveLength(1);
    });

    it('answers a repeated cancellation, sent while the first one’s event is on its way, once that event is there too', async () => {
      const buyer = { id: randomUUID() };
      const order = await placeSlowly(buyer);
      const first = request(slow.server)
        .delete(`/api/orders/${order.id}`)
        .set('Cookie', signin(buyer))
        .then((r) => r);
      await waitFor(
        async () =>
          (await slow.database.db.select().from(orders).where(eq(orders.id, order.id)))[0]?.status === 'cancelled',
        { message: 'the first cancellation committed' },
      );

      await request(slow.server).delete(`/api/orders/${order.id}`).set('Cookie', signin(buyer)).expect(204);

      expect(await cancellationsInStream(order.id)).toHaveLength(1);
      expect((await first).status).toBe(204);
    });
  });

  it('is answered at once while the bus is away: its event waits in the outbox', async () => {
    const ticket = await listTicket(ctx);
    const buyer = { id: randomUUID() };
    const placed = await request(ctx.app)
      .post('/api/orders')
      .set('Cookie', signin(buyer))
      .send({ ticketId: ticket.id });
    await ctx.server.stop();
    try {
      await waitFor(() => !ctx.nats.isConnected, { message: 'orders to see the bus gone' });
      const started = Date.now();

      await request(ctx.app).delete(`/api/orders/${placed.body.id}`).set('Cookie', signin(buyer)).expect(204);

      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      await ctx.server.start();
    }
    await waitFor(
      async () =>
        (await storedEvents(ctx.nats.client, { subjects: [Subjects.OrderCancelled] })).some(
          (event) => event.data.id === placed.body.id,
        ),
      { message: 'the cancellation published once the bus is back' },
    );
  });

  it('records when it was cancelled', async () => {
    const ticket = await listTicket(ctx);
    const buyer = { id: randomUUID() };
    const placed = await request(ctx.app)
      .post('/api/orders')
      .set('Cookie', signin(buyer))
      .send({ ticketId: ticket.id });
    const before = Date.now();

    await request(ctx.app).delete(`/api/orders/${placed.body.id}`).set('Cookie', signin(buyer)).expect(204);

    const shown = await request(ctx.app).get(`/api/orders/${placed.body.id}`).set('Cookie', signin(buyer));
    expect(shown.body.status).toBe('cancelled');
    expect(Date.parse(shown.body.cancelledAt)).toBeGreaterThanOrEqual(before - 1_000);
    expect(Date.parse(shown.body.cancelledAt)).toBeLessThan(Date.parse(shown.body.expiresAt));
  });
});
