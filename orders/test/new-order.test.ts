import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Subjects } from '@ticketing/common/events';
import { waitFor } from '@ticketing/common/testing';
import { copyAt, listTicket, orderEvents, publish, signin, startOrders, type OrdersContext } from './orders-app';

let ctx: OrdersContext;

beforeAll(async () => {
  ctx = await startOrders();
});

afterAll(async () => {
  await ctx.close();
});

describe('POST /api/orders', () => {
  it('responds 401 when not signed in', async () => {
    const response = await request(ctx.app).post('/api/orders').send({ ticketId: randomUUID() });

    expect(response.status).toBe(401);
    expect(response.body).toEqual({ errors: [{ message: 'Not authorized' }] });
  });

  it.each([
    ['missing', {}],
    ['not a UUID', { ticketId: 'abc' }],
    ['a number', { ticketId: 42 }],
    ['empty', { ticketId: '' }],
  ])('responds 400 on ticketId when it is %s', async (_case, body) => {
    const response = await request(ctx.app).post('/api/orders').set('Cookie', signin()).send(body);

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message: 'TicketId must be provided', field: 'ticketId' }] });
  });

  it('responds 404 for a ticket orders does not know', async () => {
    const response = await request(ctx.app)
      .post('/api/orders')
      .set('Cookie', signin())
      .send({ ticketId: randomUUID() });

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ errors: [{ message: 'Not Found' }] });
  });

  it('responds 400 "You cannot buy your own ticket"', async () => {
    const seller = randomUUID();
    const ticket = await listTicket(ctx, { userId: seller });

    const response = await request(ctx.app)
      .post('/api/orders')
      .set('Cookie', signin({ id: seller }))
      .send({ ticketId: ticket.id });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message: 'You cannot buy your own ticket' }] });
  });

  it('responds 400 "Ticket is no longer for sale" for a ticket its seller withdrew', async () => {
    const ticket = await listTicket(ctx);
    await publish(ctx.nats, Subjects.TicketUpdated, { ...ticket, version: 1, orderId: null, withdrawn: true });
    await copyAt(ctx.database, ticket.id, 1);

    const response = await request(ctx.app).post('/api/orders').set('Cookie', signin()).send({ ticketId: ticket.id });

    expect([response.status, response.body]).toEqual([400, { errors: [{ message: 'Ticket is no longer for sale' }] }]);
  });

  it('responds 400 "This event has already started" once its start has passed, and reserves it before', async () => {
    const startsSoon = new Date(Date.now() + 1_500).toISOString();
    const ticket = await listTicket(ctx, { eventAt: startsSoon, timeZone: 'America/New_York' });
    const first = await request(ctx.app).post('/api/orders').set('Cookie', signin()).send({ ticketId: ticket.id });
    expect(first.status).toBe(201);
    await request(ctx.app)
      .delete(`/api/orders/${first.body.id}`)
      .set('Cookie', signin({ id: first.body.userId }));

    await waitFor(() => Date.now() > Date.parse(startsSoon), { message: 'the event’s start' });
    const response = await request(ctx.app).post('/api/orders').set('Cookie', signin()).send({ ticketId: ticket.id });

    expect([response.status, response.body]).toEqual([
      400,
      { errors: [{ message: 'This event has already started' }] },
    ]);
  });

  it('keeps what a ticket event says of the event in its copy, and an event without it means undated', async () => {
    const eventAt = new Date(Date.now() + 86_400_000).toISOString();
    const dated = await listTicket(ctx, { eventAt, venue: 'Fenway Park', city: 'Boston' });
    const undated = await listTicket(ctx);

    expect(await copyAt(ctx.database, dated.id, 0)).toMatchObject({ eventAt: new Date(eventAt), withdrawn: false });
    expect(await copyAt(ctx.database, undated.id, 0)).toMatchObject({ eventAt: null, withdrawn: false });
  });

  it('reserves the ticket: 201 with the order, and order:created with what the contract says', async () => {
    const ticket = await listTicket(ctx, { title: 'Opera', price: 49.5 });
    const buyer = randomUUID();
    const before = Date.now();

    const response = await request(ctx.app)
      .post('/api/orders')
      .set('Cookie', signin({ id: buyer }))
      .send({ ticketId: ticket.id });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      userId: buyer,
      status: 'created',
      expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      version: 0,
      cancelledAt: null,
      ticket: { id: ticket.id, title: 'Opera', price: 49.5 },
    });
    const expiresIn = Date.parse(response.body.expiresAt) - before;
    expect(expiresIn).toBeGreaterThanOrEqual(900_000);
    expect(expiresIn).toBeLessThan(905_000);
    const [event] = await orderEvents(ctx.nats, response.body.id, 1);
    expect(event).toMatchObject({
      subject: 'order:created',
      data: {
        id: response.body.id,
        version: 0,
        status: 'created',
        userId: buyer,
        expiresAt: response.body.expiresAt,
        ticket: { id: ticket.id, price: 49.5 },
      },
    });
  });

  it('takes the ticket id in any case and with spaces around it', async () => {
    const ticket = await listTicket(ctx);

    const response = await request(ctx.app)
      .post('/api/orders')
      .set('Cookie', signin())
      .send({ ticketId: ` ${ticket.id.toUpperCase()} ` });

    expect(response.status).toBe(201);
    expect(response.body.ticket.id).toBe(ticket.id);
  });

  it('responds 400 "Ticket is already reserved" to a second buyer, and lets a new order in once the first is cancelled', async () => {
    const ticket = await listTicket(ctx);
    const first = { id: randomUUID() };
    const order = await request(ctx.app).post('/api/orders').set('Cookie', signin(first)).send({ ticketId: ticket.id });
    expect(order.status).toBe(201);

    const second = await request(ctx.app).post('/api/orders').set('Cookie', signin()).send({ ticketId: ticket.id });
    expect(second.status).toBe(400);
    expect(second.body).toEqual({ errors: [{ message: 'Ticket is already reserved' }] });

    await request(ctx.app).delete(`/api/orders/${order.body.id}`).set('Cookie', signin(first)).expect(204);
    const third = await request(ctx.app).post('/api/orders').set('Cookie', signin()).send({ ticketId: ticket.id });
    expect(third.status).toBe(201);
  });

  it('lets exactly one of 20 buyers racing for one ticket have it', async () => {
    const ticket = await listTicket(ctx);

    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        request(ctx.app).post('/api/orders').set('Cookie', signin()).send({ ticketId: ticket.id }),
      ),
    );

    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    const refused = responses.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(19);
    for (const response of refused) {
      expect([response.status, response.body]).toEqual([400, { errors: [{ message: 'Ticket is already reserved' }] }]);
    }
  });
});
