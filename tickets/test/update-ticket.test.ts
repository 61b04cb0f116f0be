import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { signin, startTickets, waitForTicketEvents, type TicketsContext } from './tickets-app';

let ctx: TicketsContext;

beforeAll(async () => {
  ctx = await startTickets();
});

afterAll(async () => {
  await ctx.close();
});

const owner = { id: randomUUID(), email: 'owner@test.com' };

async function create(title = 'original', price = 20) {
  const response = await request(ctx.app)
    .post('/api/tickets')
    .set('Cookie', signin(owner))
    .send({ title, price })
    .expect(201);
  return response.body as { id: string; version: number };
}

describe('PUT /api/tickets/:id', () => {
  it('responds 404 when the ticket does not exist (or the id is malformed)', async () => {
    for (const id of [randomUUID(), 'nope']) {
      const response = await request(ctx.app)
        .put(`/api/tickets/${id}`)
        .set('Cookie', signin())
        .send({ title: 'x', price: 10 });
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ errors: [{ message: 'Not Found' }] });
    }
  });

  it('responds 401 when not signed in', async () => {
    const ticket = await create();

    const response = await request(ctx.app).put(`/api/tickets/${ticket.id}`).send({ title: 'x', price: 10 });

    expect(response.status).toBe(401);
    expect(response.body).toEqual({ errors: [{ message: 'Not authorized' }] });
  });

  it('responds 401 "Not authorized" when the user does not own the ticket, and changes nothing', async () => {
    const ticket = await create('mine', 20);

    const response = await request(ctx.app)
      .put(`/api/tickets/${ticket.id}`)
      .set('Cookie', signin())
      .send({ title: 'stolen', price: 1 });

    expect(response.status).toBe(401);
    expect(response.body).toEqual({ errors: [{ message: 'Not authorized' }] });
    const unchanged = await request(ctx.app).get(`/api/tickets/${ticket.id}`);
    expect(unchanged.body).toMatchObject({ title: 'mine', price: 20, version: 0 });
  });

  it('responds 400 with field errors for an invalid title or price', async () => {
    const ticket = await create();

    const badTitle = await request(ctx.app)
      .put(`/api/tickets/${ticket.id}`)
      .set('Cookie', signin(owner))
      .send({ title: '', price: 20 });
    const badPrice = await request(ctx.app)
      .put(`/api/tickets/${ticket.id}`)
      .set('Cookie', signin(owner))
      .send({ title: 'ok', price: -10 });

    expect(badTitle.status).toBe(400);
    expect(badTitle.body).toEqual({ errors: [{ message: 'Title is required', field: 'title' }] });
    expect(badPrice.status).toBe(400);
    expect(badPrice.body).toEqual({ errors: [{ message: 'Price must be greater than 0', field: 'price' }] });
  });

  it('checks in the reference order: signed in (401), then body (400), then existence (404), then owner (401)', async () => {
    const ticket = await create();
    const missing = `/api/tickets/${randomUUID()}`;
    const invalid = { title: '', price: 10 };

    expect((await request(ctx.app).put(missing).send(invalid)).status).toBe(401);
    expect((await request(ctx.app).put(missing).set('Cookie', signin()).send(invalid)).status).toBe(400);
    expect((await request(ctx.app).put(missing).set('Cookie', signin()).send({ title: 'x', price: 1 })).status).toBe(
      404,
    );
    const invalidNotOwner = await request(ctx.app)
      .put(`/api/tickets/${ticket.id}`)
      .set('Cookie', signin())
      .send(invalid);
    expect(invalidNotOwner.status).toBe(400);
    const notOwner = await request(ctx.app)
      .put(`/api/tickets/${ticket.id}`)
      .set('Cookie', signin())
      .send({ title: 'x', price: 1 });
    expect(notOwner.status).toBe(401);
  });

  it('updates title and price for the owner, bumps the version, and publishes ticket:updated', async () => {
    const ticket = await create('before', 20);

    const response = await request(ctx.app)
      .put(`/api/tickets/${ticket.id}`)
      .set('Cookie', signin(owner))
      .send({ title: ' after ', price: 99.99 });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: ticket.id, title: 'after', price: 99.99, version: 1, userId: owner.id });
    const shown = await request(ctx.app).get(`/api/tickets/${ticket.id}`);
    expect(shown.body).toEqual(response.body);
    const forTicket = await waitForTicketEvents(ctx.nats, ticket.id, 2);
    expect(forTicket.map((e) => [e.subject, e.data.version])).toEqual([
      ['ticket:created', 0],
      ['ticket:updated', 1],
    ]);
    expect(forTicket[1]!.data).toEqual({
      id: ticket.id,
      version: 1,
      title: 'after',
      price: 99.99,
      userId: owner.id,
      orderId: null,
      sold: false,
      withdrawn: false,
      eventAt: null,
      timeZone: 'UTC',
      venue: null,
      city: null,
      seat: null,
    });
  });

  it('applies concurrent updates one after another: every one succeeds with its own next version, events in version order', async () => {
    const ticket = await create('race', 1);

    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        request(ctx.app)
          .put(`/api/tickets/${ticket.id}`)
          .set('Cookie', signin(owner))
          .send({ title: `v${i}`, price: i + 1 }),
      ),
    );

    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(responses.map((r) => r.body.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const final = await request(ctx.app).get(`/api/tickets/${ticket.id}`);
    expect(final.body.version).toBe(10);
    const last = responses.find((r) => r.body.version === 10)!;
    expect(final.body.title).toBe(last.body.title);

    const forTicket = await waitForTicketEvents(ctx.nats, ticket.id, 11);
    expect(forTicket.map((e) => e.data.version)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});
