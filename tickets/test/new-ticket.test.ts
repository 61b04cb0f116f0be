import request from 'supertest';
import { signin, startTickets, waitForTicketEvents, type TicketsContext } from './tickets-app';

let ctx: TicketsContext;

beforeAll(async () => {
  ctx = await startTickets();
});

afterAll(async () => {
  await ctx.close();
});

describe('POST /api/tickets', () => {
  it('has a route handler listening for post requests: signed in with an empty body, it validates (400)', async () => {
    const response = await request(ctx.app).post('/api/tickets').set('Cookie', signin()).send({});

    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { field?: string }) => e.field)).toEqual(['title', 'price']);
  });

  it('when not signed in, responds 401 "Not authorized"', async () => {
    const response = await request(ctx.app).post('/api/tickets').send({ title: 'concert', price: 10 });

    expect(response.status).toBe(401);
    expect(response.body).toEqual({ errors: [{ message: 'Not authorized' }] });
  });

  it('when signed in, does not respond 401', async () => {
    const response = await request(ctx.app).post('/api/tickets').set('Cookie', signin()).send({});

    expect(response.status).not.toBe(401);
  });

  it.each([
    ['missing', undefined, 'Title is required'],
    ['empty', '', 'Title is required'],
    ['only spaces', '   ', 'Title is required'],
    ['not a string', 42, 'Title is required'],
    ['over 200 characters', 'x'.repeat(201), 'Title must be at most 200 characters'],
    ['holding a NUL character', 'a\u0000b', 'Title must not contain control or invisible characters'],
    ['holding a line break', 'two\nlines', 'Title must not contain control or invisible characters'],
  ])('when the title is %s, responds 400 with a title error', async (_case, title, message) => {
    const response = await request(ctx.app).post('/api/tickets').set('Cookie', signin()).send({ title, price: 10 });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message, field: 'title' }] });
  });

  it.each([
    ['missing', undefined, 'Price must be greater than 0'],
    ['negative', -10, 'Price must be greater than 0'],
    ['zero', 0, 'Price must be greater than 0'],
    ['a numeric string', '10', 'Price must be greater than 0'],
    ['null', null, 'Price must be greater than 0'],
    ['a boolean', true, 'Price must be greater than 0'],
    ['over a million', 1_000_000.01, 'Price must be at most 1,000,000'],
    ['given in thousandths', 10.001, 'Price must have at most two decimals'],
    ['a billionth of a dollar', 1e-9, 'Price must have at most two decimals'],
    ['a hair over five dollars', 5.000000001, 'Price must have at most two decimals'],
    ['just under a cent over', 0.010000001, 'Price must have at most two decimals'],
    ['8.675', 8.675, 'Price must have at most two decimals'],
    ['huge', 1e308, 'Price must be at most 1,000,000'],
  ])('when the price is %s, responds 400 with a price error', async (_case, price, message) => {
    const response = await request(ctx.app)
      .post('/api/tickets')
      .set('Cookie', signin())
      .send({ title: 'concert', price });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message, field: 'price' }] });
  });

  it('when both are invalid, names both fields', async () => {
    const response = await request(ctx.app).post('/api/tickets').set('Cookie', signin()).send({});

    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(['title', 'price']);
  });

  it('with valid input, responds 201 with the ticket (trimmed title, version 0, ISO UTC createdAt)', async () => {
    const userId = '5f8a4c1e-0000-4000-8000-000000000001';
    const response = await request(ctx.app)
      .post('/api/tickets')
      .set('Cookie', signin({ id: userId }))
      .send({ title: '  Opera night  ', price: 19.99 });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      title: 'Opera night',
      price: 19.99,
      userId,
      version: 0,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      orderId: null,
      sold: false,
      status: 'available',
      eventAt: null,
      timeZone: 'UTC',
      venue: null,
      city: null,
      seat: null,
    });
    const shown = await request(ctx.app).get(`/api/tickets/${response.body.id}`);
    expect(shown.body).toEqual(response.body);
  });

  it('accepts the boundary prices 0.01 and 1,000,000 and keeps them exact', async () => {
    for (const price of [0.01, 1_000_000, 0.1, 0.3, 33.33, 0.07, 1.15, 4.35, 19.99, 999_999.99]) {
      const response = await request(ctx.app)
        .post('/api/tickets')
        .set('Cookie', signin())
        .send({ title: 'edge', price });
      expect(response.status).toBe(201);
      expect(response.body.price).toBe(price);
    }
  });

  it('publishes ticket:created with the ticket data, version 0, and a UUID message id', async () => {
    const userId = '5f8a4c1e-0000-4000-8000-000000000002';

    const { body: ticket } = await request(ctx.app)
      .post('/api/tickets')
      .set('Cookie', signin({ id: userId }))
      .send({ title: 'Jazz', price: 25.5 })
      .expect(201);

    const [event] = await waitForTicketEvents(ctx.nats, ticket.id, 1);
    expect(event!.subject).toBe('ticket:created');
    expect(event!.data).toEqual({
      id: ticket.id,
      version: 0,
      title: 'Jazz',
      price: 25.5,
      userId,
      eventAt: null,
      timeZone: 'UTC',
      venue: null,
      city: null,
      seat: null,
    });
    expect(event!.msgId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
