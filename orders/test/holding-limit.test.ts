import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { waitFor } from '@ticketing/common/testing';
import { listTicket, orderEvents, signin, startOrders, type OrdersContext } from './orders-app';

const LIMIT = 3;
const REFUSAL = {
  errors: [
    {
      message: `You already hold ${LIMIT} orders awaiting payment: pay for or cancel one before reserving another ticket`,
    },
  ],
};

let ctx: OrdersContext;

beforeAll(async () => {
  ctx = await startOrders({ MAX_OPEN_ORDERS_PER_BUYER: String(LIMIT) });
});

afterAll(async () => {
  await ctx.close();
});

const order = (buyer: { id: string }, ticketId: string) =>
  request(ctx.app).post('/api/orders').set('Cookie', signin(buyer)).send({ ticketId });

describe('how many orders awaiting payment one buyer may hold', () => {
  it(`refuses the order after the ${LIMIT}th with a 400 that says why, and takes one again once one is cancelled`, async () => {
    const buyer = { id: randomUUID() };
    const tickets = await Promise.all(Array.from({ length: LIMIT + 1 }, () => listTicket(ctx)));
    const held = [];
    for (const ticket of tickets.slice(0, LIMIT)) held.push((await order(buyer, ticket.id).expect(201)).body);

    const refused = await order(buyer, tickets[LIMIT]!.id);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual(REFUSAL);

    await request(ctx.app).delete(`/api/orders/${held[0].id}`).set('Cookie', signin(buyer)).expect(204);
    expect((await order(buyer, tickets[LIMIT]!.id)).status).toBe(201);
  });

  it(`lets exactly ${LIMIT} of 40 concurrent orders from one buyer through`, async () => {
    const buyer = { id: randomUUID() };
    const tickets = await Promise.all(Array.from({ length: 40 }, () => listTicket(ctx)));

    const responses = await Promise.all(tickets.map((ticket) => order(buyer, ticket.id)));

    expect(responses.filter((r) => r.status === 201)).toHaveLength(LIMIT);
    for (const response of responses.filter((r) => r.status !== 201)) {
      expect([response.status, response.body]).toEqual([400, REFUSAL]);
    }
    const mine = await request(ctx.app).get('/api/orders').set('Cookie', signin(buyer));
    expect(mine.body).toHaveLength(LIMIT);
  });

  it('leaves other buyers alone: twelve buyers each get their ticket at once', async () => {
    const tickets = await Promise.all(Array.from({ length: 12 }, () => listTicket(ctx)));

    const responses = await Promise.all(tickets.map((ticket) => order({ id: randomUUID() }, ticket.id)));

    expect(responses.map((r) => r.status)).toEqual(Array(12).fill(201));
  });
});

describe('with a short payment window', () => {
  let short: OrdersContext;

  beforeAll(async () => {
    short = await startOrders({ MAX_OPEN_ORDERS_PER_BUYER: '1', EXPIRATION_WINDOW_SECONDS: '1' });
  });

  afterAll(async () => {
    await short.close();
  });

  it('ends an order of the buyer past its expiresAt that expiration has not cancelled yet, and places the new one', async () => {
    const buyer = { id: randomUUID() };
    const [first, second] = [await listTicket(short), await listTicket(short)];
    const placed = await request(short.app)
      .post('/api/orders')
      .set('Cookie', signin(buyer))
      .send({ ticketId: first.id });
    expect(placed.status).toBe(201);
    expect(
      (await request(short.app).post('/api/orders').set('Cookie', signin(buyer)).send({ ticketId: second.id })).status,
    ).toBe(400);

    // No expiration service runs here: the first order stays `created`, but its time is up.
    await waitFor(() => Date.now() > Date.parse(placed.body.expiresAt), { message: 'the first order’s expiresAt' });
    const next = await request(short.app)
      .post('/api/orders')
      .set('Cookie', signin(buyer))
      .send({ ticketId: second.id });

    expect(next.status).toBe(201);
    const ended = await request(short.app).get(`/api/orders/${placed.body.id}`).set('Cookie', signin(buyer));
    expect(ended.body).toMatchObject({ status: 'cancelled', version: 1 });
    expect(Date.parse(ended.body.cancelledAt)).toBeGreaterThanOrEqual(Date.parse(placed.body.expiresAt));
    const events = await orderEvents(short.nats, placed.body.id, 2);
    expect(events.map((event) => event.subject)).toEqual(['order:created', 'order:cancelled']);
  });
});

describe('a ticket held by an order whose time is up, before expiration has cancelled it', () => {
  let short: OrdersContext;
  beforeAll(async () => {
    short = await startOrders({ EXPIRATION_WINDOW_SECONDS: '1' });
  });
  afterAll(() => short.close());

  const reserve = (buyer: { id: string }, ticketId: string) =>
    request(short.app).post('/api/orders').set('Cookie', signin(buyer)).send({ ticketId });

  it('is refused to another buyer, and reserved again by the buyer whose order it was', async () => {
    const [buyer, other] = [{ id: randomUUID() }, { id: randomUUID() }];
    const ticket = await listTicket(short);
    const placed = await reserve(buyer, ticket.id);
    expect(placed.status).toBe(201);
    // No expiration service runs here: the order stays `created`, but its time is up.
    await waitFor(() => Date.now() > Date.parse(placed.body.expiresAt), { message: 'the order’s expiresAt' });

    const refused = await reserve(other, ticket.id);
    expect([refused.status, refused.body]).toEqual([400, { errors: [{ message: 'Ticket is already reserved' }] }]);

    const again = await reserve(buyer, ticket.id);
    expect(again.status).toBe(201);
    const ended = await request(short.app).get(`/api/orders/${placed.body.id}`).set('Cookie', signin(buyer));
    expect(ended.body).toMatchObject({ status: 'cancelled', version: 1 });
  });
});
