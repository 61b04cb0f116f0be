import request from 'supertest';
import { signin, startTickets, type TicketsContext } from './tickets-app';

let ctx: TicketsContext;

beforeAll(async () => {
  ctx = await startTickets();
});

afterAll(async () => {
  await ctx.close();
});

async function create(title: string, price = 10) {
  const response = await request(ctx.app)
    .post('/api/tickets')
    .set('Cookie', signin())
    .send({ title, price })
    .expect(201);
  return response.body as { id: string; title: string; createdAt: string };
}

function nextLink(link: string | undefined): string | undefined {
  return link ? /<([^>]+)>;\s*rel="next"/.exec(link)?.[1] : undefined;
}

describe('GET /api/tickets/:id', () => {
  it('responds 404 "Not Found" for an unknown id', async () => {
    const response = await request(ctx.app).get('/api/tickets/0b6f7c8e-9a3d-4d9e-8f7a-5c2b1d0e9f8a');

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ errors: [{ message: 'Not Found' }] });
  });

  it.each(['%E0', '%ZZ'])('responds 404 for the undecodable id %s', async (id) => {
    const response = await request(ctx.app).get(`/api/tickets/${id}`);

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ errors: [{ message: 'Not Found' }] });
  });

  it.each(['not-a-uuid', '123', "1'; drop table tickets;--"])('responds 404 for the malformed id %s', async (id) => {
    const response = await request(ctx.app).get(`/api/tickets/${encodeURIComponent(id)}`);

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ errors: [{ message: 'Not Found' }] });
  });

  it('responds 200 with the ticket when it exists', async () => {
    const ticket = await create('Show me', 42.42);

    const response = await request(ctx.app).get(`/api/tickets/${ticket.id}`);

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: ticket.id, title: 'Show me', price: 42.42, version: 0 });
  });
});

describe('GET /api/tickets', () => {
  it('lists tickets newest first, without needing a session', async () => {
    // Apart by more than the millisecond creation times are kept to, so the order is defined.
    const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
    const first = await create('first');
    await pause();
    const second = await create('second');
    await pause();
    const third = await create('third');

    const response = await request(ctx.app).get('/api/tickets');

    expect(response.status).toBe(200);
    const ids = response.body.map((t: { id: string }) => t.id);
    expect(ids.indexOf(third.id)).toBeLessThan(ids.indexOf(second.id));
    expect(ids.indexOf(second.id)).toBeLessThan(ids.indexOf(first.id));
    for (let i = 1; i < response.body.length; i++) {
      expect(response.body[i - 1].createdAt >= response.body[i].createdAt).toBe(true);
    }
  });

  it.each(['0', '101', '-1', 'abc', '1.5'])('responds 400 on limit for limit=%s', async (limit) => {
    const response = await request(ctx.app).get(`/api/tickets?limit=${limit}`);

    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      errors: [{ message: 'Limit must be a whole number from 1 to 100', field: 'limit' }],
    });
  });

  const crafted = (time: string) =>
    Buffer.from(JSON.stringify([time, '0b6f7c8e-9a3d-4d9e-8f7a-5c2b1d0e9f8a'])).toString('base64url');

  it.each([
    'garbage',
    Buffer.from('["x","y"]').toString('base64url'),
    '',
    crafted('0000-01-01T00:00:00.000Z'),
    crafted('+275760-09-13T00:00:00.000Z'),
    crafted('-000001-01-01T00:00:00.000Z'),
    crafted('2026-01-01'),
    crafted('10000-01-01T00:00:00.000Z'),
  ])('responds 400 on cursor for cursor=%p', async (cursor) => {
    const response = await request(ctx.app).get(`/api/tickets?cursor=${encodeURIComponent(cursor)}`);

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message: 'Cursor is invalid', field: 'cursor' }] });
  });

  it('responds 400 when a parameter is repeated', async () => {
    const response = await request(ctx.app).get('/api/tickets?limit=1&limit=2');

    expect(response.status).toBe(400);
  });
});

describe('pagination', () => {
  it('returns at most limit tickets and a Link to the next page while more exist; pages stay exact while tickets are added', async () => {
    const pagination = new Set<string>();
    for (let i = 0; i < 7; i++) pagination.add((await create(`page ${i}`)).id);
    const existing = (await request(ctx.app).get('/api/tickets?limit=100')).body.map((t: { id: string }) => t.id);

    const seen: string[] = [];
    let url: string | undefined = '/api/tickets?limit=3';
    let pages = 0;
    while (url) {
      const response: request.Response = await request(ctx.app).get(url);
      expect(response.status).toBe(200);
      expect(response.body.length).toBeLessThanOrEqual(3);
      seen.push(...response.body.map((t: { id: string }) => t.id));
      url = nextLink(response.get('Link'));
      if (url) expect(url).toMatch(/^\/api\/tickets\?limit=3&cursor=/);
      // Tickets added meanwhile are newer: they never shift or repeat what later pages hold.
      if (pages++ === 0) await create('added while paging');
    }

    expect(seen).toEqual(existing);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('sends no Link when everything fits', async () => {
    const response = await request(ctx.app).get('/api/tickets?limit=100');

    expect(response.get('Link')).toBeUndefined();
  });

  it('returns 50 tickets by default', async () => {
    for (let i = 0; i < 45; i++) await create(`bulk ${i}`);

    const response = await request(ctx.app).get('/api/tickets');

    expect(response.body).toHaveLength(50);
    expect(nextLink(response.get('Link'))).toMatch(/limit=50/);
  });
});
