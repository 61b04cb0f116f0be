import type { NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import {
  sessionCookie,
  startNatsServer,
  startTestService,
  TEST_JWT_KEY,
  waitFor,
  waitForEvents,
  type TestNatsServer,
  type TestService,
} from '@ticketing/common/testing';
import { ticketsService } from '../../tickets/src/service';
import { ordersService } from '../src/service';
import { copyAt } from './orders-app';

let nats: TestNatsServer;
let tickets: TestService<typeof ticketsService.database.schema, unknown>;
let orders: TestService<typeof ordersService.database.schema, unknown>;
/** The test's own connection, to read the stream. */
let bus: NatsConnection;

beforeAll(async () => {
  nats = await startNatsServer();
  [tickets, orders] = await Promise.all([
    startTestService(ticketsService, { nats: nats }),
    startTestService(ordersService, { nats: nats }),
  ]);
  bus = await nats.connect();
});

afterAll(async () => {
  await Promise.all([tickets?.close(), orders?.close()]);
  await bus?.close();
  await nats.destroy();
});

const seller = { id: randomUUID() };
const buyer = { id: randomUUID() };
const as = (user: { id: string }) => sessionCookie(TEST_JWT_KEY, user);

async function ticketNow(id: string) {
  return (await request(tickets.server).get(`/api/tickets/${id}`)).body as { orderId: string | null; version: number };
}

describe('a reservation, through both services and the bus', () => {
  it('reserves the ticket for an order and frees it when the order is cancelled, each step a new version', async () => {
    const listed = await request(tickets.server)
      .post('/api/tickets')
      .set('Cookie', as(seller))
      .send({ title: 'Jazz night', price: 35 })
      .expect(201);
    const ticketId: string = listed.body.id;
    await copyAt(orders.database, ticketId, 0);

    const order = await request(orders.server)
      .post('/api/orders')
      .set('Cookie', as(buyer))
      .send({ ticketId })
      .expect(201);

    const reserved = await waitFor(async () => {
      const ticket = await ticketNow(ticketId);
      return ticket.orderId === order.body.id ? ticket : undefined;
    });
    expect(reserved.version).toBe(1);
    const refused = await request(tickets.server)
      .put(`/api/tickets/${ticketId}`)
      .set('Cookie', as(seller))
      .send({ title: 'Jazz night, edited', price: 40 });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ errors: [{ message: 'Cannot edit a reserved ticket' }] });
    // orders' copy follows the reservation's version too.
    await copyAt(orders.database, ticketId, 1);

    await request(orders.server).delete(`/api/orders/${order.body.id}`).set('Cookie', as(buyer)).expect(204);

    const freed = await waitFor(async () => {
      const ticket = await ticketNow(ticketId);
      return ticket.orderId === null && ticket.version === 2 ? ticket : undefined;
    });
    expect(freed).toMatchObject({ orderId: null, version: 2 });
    await request(tickets.server)
      .put(`/api/tickets/${ticketId}`)
      .set('Cookie', as(seller))
      .send({ title: 'Jazz night, edited', price: 40 })
      .expect(200);

    const events = await waitForEvents(bus, 6, {
      match: (e) => e.data.id === ticketId || e.data.id === order.body.id,
    });
    expect(events.map((e) => [e.subject, e.data.version, e.data.orderId ?? null])).toEqual([
      ['ticket:created', 0, null],
      ['order:created', 0, null],
      ['ticket:updated', 1, order.body.id],
      ['order:cancelled', 1, null],
      ['ticket:updated', 2, null],
      ['ticket:updated', 3, null],
    ]);
    await copyAt(orders.database, ticketId, 3);
  });
});
