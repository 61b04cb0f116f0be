import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import request from 'supertest';
import { OrderStatus, publishEvent, Subjects, type EventData } from '@ticketing/common/events';
import { nextOutcome, waitFor } from '@ticketing/common/testing';
import { eq } from 'drizzle-orm';
import { orderVersions } from '../src/db/schema';
import { settled, signin, startTickets, storedEvents, type TicketsContext } from './tickets-app';

let ctx: TicketsContext;

beforeAll(async () => {
  ctx = await startTickets();
});

afterAll(async () => {
  await ctx.close();
});

const seller = { id: randomUUID() };

async function listTicket() {
  const response = await request(ctx.app)
    .post('/api/tickets')
    .set('Cookie', signin(seller))
    .send({ title: 'Gig', price: 15 })
    .expect(201);
  return response.body as { id: string };
}

function orderCreated(ticketId: string, id = randomUUID()): EventData<Subjects.OrderCreated> {
  return {
    id,
    version: 0,
    status: OrderStatus.Created,
    userId: randomUUID(),
    expiresAt: new Date(Date.now() + 900_000).toISOString(),
    ticket: { id: ticketId, price: 15 },
  };
}

function orderCancelled(ticketId: string, id: string): EventData<Subjects.OrderCancelled> {
  return { id, version: 1, ticket: { id: ticketId } };
}

function publish<S extends Subjects>(subject: S, data: EventData<S>, msgId?: string) {
  return publishEvent(jetstream(ctx.nats.client), subject, data, { msgId });
}

/** Publishes an event and resolves with the first outcome (ack, nak or term) of tickets' listener for it. */
async function publishAndFollow<S extends Subjects>(subject: S, data: EventData<S>) {
  const msgId = randomUUID();
  const outcome = nextOutcome(ctx.listener(subject), (o) => o.msgId === msgId);
  await publish(subject, data, msgId);
  return outcome;
}

async function ticketWhen(id: string, check: (ticket: { orderId: string | null; version: number }) => boolean) {
  return waitFor(async () => {
    const ticket = (await request(ctx.app).get(`/api/tickets/${id}`)).body;
    return check(ticket) ? ticket : undefined;
  });
}

const UNDATED = { eventAt: null, timeZone: 'UTC', venue: null, city: null, seat: null };

describe('reservations from order events', () => {
  it('order:created holds the ticket as its next version and says so in ticket:updated; a repeat changes nothing', async () => {
    const ticket = await listTicket();
    const order = orderCreated(ticket.id);

    await publish(Subjects.OrderCreated, order);
    await ticketWhen(ticket.id, (t) => t.orderId === order.id);
    await publish(Subjects.OrderCreated, order);
    await settled(ctx);

    expect((await request(ctx.app).get(`/api/tickets/${ticket.id}`)).body).toMatchObject({
      orderId: order.id,
      version: 1,
    });
    const updates = (await storedEvents(ctx.nats)).filter(
      (e) => e.subject === 'ticket:updated' && e.data.id === ticket.id,
    );
    expect(updates.map((e) => e.data)).toEqual([
      {
        id: ticket.id,
        version: 1,
        title: 'Gig',
        price: 15,
        userId: seller.id,
        orderId: order.id,
        sold: false,
        withdrawn: false,
        ...UNDATED,
      },
    ]);
  });

  it('refuses to edit a reserved ticket: 400 "Cannot edit a reserved ticket", after the owner check', async () => {
    const ticket = await listTicket();
    const order = orderCreated(ticket.id);
    await publish(Subjects.OrderCreated, order);
    await ticketWhen(ticket.id, (t) => t.orderId === order.id);

    const byOwner = await request(ctx.app)
      .put(`/api/tickets/${ticket.id}`)
      .set('Cookie', signin(seller))
      .send({ title: 'Changed', price: 99 });
    const byOther = await request(ctx.app)
      .put(`/api/tickets/${ticket.id}`)
      .set('Cookie', signin())
      .send({ title: 'Changed', price: 99 });

    expect(byOwner.status).toBe(400);
    expect(byOwner.body).toEqual({ errors: [{ message: 'Cannot edit a reserved ticket' }] });
    expect(byOther.status).toBe(401);
    expect((await request(ctx.app).get(`/api/tickets/${ticket.id}`)).body).toMatchObject({ title: 'Gig', version: 1 });
  });

  it('a cancellation that arrives before its order waits for it, and the ticket ends free', async () => {
    const ticket = await listTicket();
    const order = orderCreated(ticket.id);

    // It is handled before its order exists: put off (held, then redelivered) rather than applied.
    expect(await publishAndFollow(Subjects.OrderCancelled, orderCancelled(ticket.id, order.id))).toMatchObject({
      outcome: 'nak',
    });
    await publish(Subjects.OrderCreated, order);

    const free = await ticketWhen(ticket.id, (t) => t.version === 2);
    expect(free.orderId).toBeNull();
  });

  it("a new order's reservation waits until the previous order's cancellation has freed the ticket", async () => {
    const ticket = await listTicket();
    const first = orderCreated(ticket.id);
    const second = orderCreated(ticket.id);
    await publish(Subjects.OrderCreated, first);
    await ticketWhen(ticket.id, (t) => t.orderId === first.id);

    // Handled while the first order holds the ticket: put off, and the ticket stays the first order's.
    expect(await publishAndFollow(Subjects.OrderCreated, second)).toMatchObject({ outcome: 'nak' });
    expect((await request(ctx.app).get(`/api/tickets/${ticket.id}`)).body.orderId).toBe(first.id);
    await publish(Subjects.OrderCancelled, orderCancelled(ticket.id, first.id));

    const held = await ticketWhen(ticket.id, (t) => t.orderId === second.id);
    expect(held.version).toBe(3);
  });

  it('a cancellation of an order that does not hold the ticket changes nothing', async () => {
    const ticket = await listTicket();
    const holder = orderCreated(ticket.id);
    const other = orderCreated(ticket.id);
    await publish(Subjects.OrderCreated, holder);
    await ticketWhen(ticket.id, (t) => t.orderId === holder.id);
    // Tickets has seen the other order's creation (as if it had come and gone), not holding the ticket.
    await ctx.database.db.insert(orderVersions).values({ id: other.id, version: 0 });

    await publish(Subjects.OrderCancelled, orderCancelled(ticket.id, other.id));

    await waitFor(async () => {
      const [row] = await ctx.database.db.select().from(orderVersions).where(eq(orderVersions.id, other.id));
      return row?.version === 1;
    });
    expect((await request(ctx.app).get(`/api/tickets/${ticket.id}`)).body).toMatchObject({
      orderId: holder.id,
      version: 1,
    });
  });

  it('order:completed marks the ticket sold as its next version, in ticket:updated; a repeat changes nothing', async () => {
    const ticket = await listTicket();
    const order = orderCreated(ticket.id);
    const completed = { id: order.id, version: 1, ticket: { id: ticket.id } };
    await publish(Subjects.OrderCreated, order);
    await ticketWhen(ticket.id, (t) => t.orderId === order.id);

    await publish(Subjects.OrderCompleted, completed);
    const sold = await ticketWhen(ticket.id, (t) => t.version === 2);
    await publish(Subjects.OrderCompleted, completed);
    await publish(Subjects.OrderCancelled, orderCancelled(ticket.id, order.id));
    await settled(ctx);

    expect(sold).toMatchObject({ orderId: order.id, sold: true });
    expect((await request(ctx.app).get(`/api/tickets/${ticket.id}`)).body).toMatchObject({
      orderId: order.id,
      sold: true,
      version: 2,
    });
    const updates = (await storedEvents(ctx.nats)).filter(
      (e) => e.subject === 'ticket:updated' && e.data.id === ticket.id,
    );
    expect(updates.map((e) => [e.data.version, e.data.sold])).toEqual([
      [1, false],
      [2, true],
    ]);
    const edit = await request(ctx.app)
      .put(`/api/tickets/${ticket.id}`)
      .set('Cookie', signin(seller))
      .send({ title: 'Changed', price: 99 });
    expect(edit.status).toBe(400);
  });

  it('a completion that arrives before its order waits for the reservation, then sells the ticket', async () => {
    const ticket = await listTicket();
    const order = orderCreated(ticket.id);

    // It is handled before its order exists: put off (held, then redelivered) rather than applied.
    expect(
      await publishAndFollow(Subjects.OrderCompleted, { id: order.id, version: 1, ticket: { id: ticket.id } }),
    ).toMatchObject({ outcome: 'nak' });
    await publish(Subjects.OrderCreated, order);

    expect(await ticketWhen(ticket.id, (t) => t.version === 2)).toMatchObject({ orderId: order.id, sold: true });
  });

  it('terminates an order for a ticket it does not have, and /readyz counts it', async () => {
    await publish(Subjects.OrderCreated, orderCreated(randomUUID()));

    const ready = await waitFor(async () => {
      const body = (await request(ctx.app).get('/readyz')).body;
      return body.eventsTerminated === 1 ? body : undefined;
    });
    expect(ready.status).toBe('ready');
  });
});
