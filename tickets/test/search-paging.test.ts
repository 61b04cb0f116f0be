import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import request from 'supertest';
import { SORTS, type Sort } from '../src/tickets/cursor';
import { signin, startTickets, type TicketsContext } from './tickets-app';

let ctx: TicketsContext;

beforeAll(async () => {
  ctx = await startTickets();
});

afterAll(async () => {
  await ctx.close();
});

interface Shown {
  id: string;
  price: number;
  eventAt: string | null;
  createdAt: string;
}

/** The order a sort promises, ties broken by id (PostgreSQL compares UUIDs as their lowercase hex does). */
function compare(sort: Sort): (a: Shown, b: Shown) => number {
  const byId = (a: Shown, b: Shown) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  switch (sort) {
    case 'newest':
      return (a, b) => b.createdAt.localeCompare(a.createdAt) || -byId(a, b);
    case 'soonest':
      return (a, b) => {
        if (a.eventAt === b.eventAt) return byId(a, b);
        if (a.eventAt === null) return 1;
        if (b.eventAt === null) return -1;
        return a.eventAt.localeCompare(b.eventAt);
      };
    case 'price':
      return (a, b) => a.price - b.price || byId(a, b);
    case '-price':
      return (a, b) => b.price - a.price || -byId(a, b);
  }
}

const soon = Date.now() + 86_400_000;
const EVENT_TIMES = [null, new Date(soon).toISOString(), new Date(soon + 3_600_000).toISOString()];

describe('paging through a search (properties)', () => {
  it('gives every ticket exactly once, in its sort’s order with ties by id, while tickets are being added', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ price: fc.constantFrom(5, 10, 15), when: fc.constantFrom(0, 1, 2) }), {
          minLength: 1,
          maxLength: 14,
        }),
        fc.constantFrom(...SORTS),
        fc.integer({ min: 1, max: 5 }),
        async (listings, sort, limit) => {
          const word = `p${randomUUID().slice(0, 8)}`;
          const list = (price: number, when: number) =>
            request(ctx.app)
              .post('/api/tickets')
              .set('Cookie', signin())
              .send({ title: `${word} show`, price, eventAt: EVENT_TIMES[when] });
          // Concurrently: some are listed in the same millisecond, and tie on every sort.
          const listed = await Promise.all(listings.map(({ price, when }) => list(price, when)));
          const expected = listed.map((response) => response.body as Shown).sort(compare(sort));

          const seen: Shown[] = [];
          let next: string | undefined = `/api/tickets?${new URLSearchParams({ q: word, sort, limit: String(limit) })}`;
          let added = 0;
          for (let pages = 0; next; pages++) {
            // Each page holds at least one ticket, of those listed or those added meanwhile.
            expect(pages).toBeLessThanOrEqual(listings.length + added);
            const page = await request(ctx.app).get(next);
            expect(page.status).toBe(200);
            expect(page.body.length).toBeLessThanOrEqual(limit);
            seen.push(...(page.body as Shown[]));
            next = /^<([^>]+)>; rel="next"$/.exec(page.get('Link') ?? '')?.[1];
            // Another seller lists one of the same kind meanwhile (a few times: under a sort that
            // puts them after the cursor, paging would otherwise chase them for ever).
            if (added < 3) {
              await list(10, pages % 3);
              added++;
            }
          }

          const ids = seen.map((ticket) => ticket.id);
          expect(new Set(ids).size).toBe(ids.length);
          const originals = new Set(expected.map((ticket) => ticket.id));
          expect(seen.filter((ticket) => originals.has(ticket.id)).map((ticket) => ticket.id)).toEqual(
            expected.map((ticket) => ticket.id),
          );
          expect([...seen].sort(compare(sort))).toEqual(seen);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});
