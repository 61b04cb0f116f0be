import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import request from 'supertest';
import {
  sessionCookie,
  startNatsServer,
  startTestService,
  TEST_JWT_KEY,
  waitFor,
  type TestNatsServer,
  type TestService,
} from '@ticketing/common/testing';
import { tickets as ticketCopies } from '../../orders/src/db/schema';
import { ordersService } from '../../orders/src/service';
import { ticketsService } from '../../tickets/src/service';
import { expirationService } from '../src/service';

let nats: TestNatsServer;
const services: TestService<Record<string, unknown>, unknown>[] = [];
let tickets: TestService<typeof ticketsService.database.schema, unknown>;
let orders: TestService<typeof ordersService.database.schema, unknown>;

beforeAll(async () => {
  nats = await startNatsServer();
  tickets = await startTestService(ticketsService, { nats: nats });
  orders = await startTestService(ordersService, { nats: nats, env: { EXPIRATION_WINDOW_SECONDS: '2' } });
  // The default poll interval: what a deployment gets.
  const expiration = await startTestService(expirationService, { nats: nats });
  services.push(tickets, orders, expiration);
});

afterAll(async () => {
  await Promise.all(services.map((service) => service.close()));
  await nats?.destroy();
});

const as = (id: string) => sessionCookie(TEST_JWT_KEY, { id });

describe('an unpaid order, through tickets, orders and expiration', () => {
  it('is cancelled within 2 s of expiresAt, and the ticket can be bought again', async () => {
    const seller = randomUUID();
    const buyer = randomUUID();
    const listed = await request(tickets.server)
      .post('/api/tickets')
      .set('Cookie', as(seller))
      .send({ title: 'Matinee', price: 12 })
      .expect(201);
    await waitFor(
      async () =>
        (await orders.database.db.select().from(ticketCopies).where(eq(ticketCopies.id, listed.body.id))).length === 1,
    );

    const order = await request(orders.server)
      .post('/api/orders')
      .set('Cookie', as(buyer))
      .send({ ticketId: listed.body.id })
      .expect(201);
    const expiresAt = Date.parse(order.body.expiresAt);

    const cancelledAt = await waitFor(
      async () => {
        const shown = await request(orders.server).get(`/api/orders/${order.body.id}`).set('Cookie', as(buyer));
        return shown.body.status === 'cancelled' ? Date.now() : undefined;
      },
      { intervalMs: 20, message: 'the expired order cancelled' },
    );
    expect(cancelledAt - expiresAt).toBeGreaterThanOrEqual(0);
    expect(cancelledAt - expiresAt).toBeLessThanOrEqual(2_000);

    await waitFor(
      async () => (await request(tickets.server).get(`/api/tickets/${listed.body.id}`)).body.orderId === null,
      {
        message: 'the ticket free again',
      },
    );
    const again = await waitFor(async () => {
      const response = await request(orders.server)
        .post('/api/orders')
        .set('Cookie', as(randomUUID()))
        .send({ ticketId: listed.body.id });
      return response.status === 201 ? response : undefined;
    });
    expect(again.body.status).toBe('created');
  });
});
