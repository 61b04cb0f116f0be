import fc from 'fast-check';
import request from 'supertest';
import { decodeCursor, encodeCursor, SORTS, type ListCursor, type Sort } from '../src/tickets/cursor';
import { fromCents, MAX_PRICE, priceProblem, toCents } from '../src/tickets/price';
import { signin, startTickets, type TicketsContext } from './tickets-app';

const QUERY_NAMES = [
  'limit',
  'cursor',
  'q',
  'city',
  'from',
  'to',
  'minPrice',
  'maxPrice',
  'available',
  'sort',
  'seller',
  'x',
];
const FORBIDDEN_IN_TITLES = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

describe('money (properties)', () => {
  it('every whole number of cents in range is a valid price that converts back exactly, also through JSON', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_PRICE * 100 }), (cents) => {
        const price = fromCents(cents);
        expect(priceProblem(price)).toBeUndefined();
        expect(toCents(price)).toBe(cents);
        expect(toCents(JSON.parse(JSON.stringify(price)))).toBe(cents);
      }),
      { numRuns: 2_000 },
    );
  });

  it('any value at all gets an answer, never an exception, and an accepted one is whole cents in range', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.anything()), (value) => {
        const problem = priceProblem(value);
        if (problem === undefined) {
          expect(typeof value).toBe('number');
          const price = value as number;
          expect(price).toBeGreaterThan(0);
          expect(price).toBeLessThanOrEqual(MAX_PRICE);
          expect(fromCents(toCents(price))).toBe(price);
        } else {
          expect(typeof problem).toBe('string');
        }
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('list cursors (properties)', () => {
  const instant = fc
    .date({ min: new Date('0001-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true })
    .map((date) => date.toISOString());
  const cursorOf: Record<Sort, fc.Arbitrary<ListCursor['key']>> = {
    newest: instant,
    soonest: fc.option(instant, { nil: null }),
    price: fc.integer({ min: 1, max: MAX_PRICE * 100 }),
    '-price': fc.integer({ min: 1, max: MAX_PRICE * 100 }),
  };

  it('round-trip under every sort: decoding an encoded cursor gives it back, and only for its own sort', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SORTS).chain((sort) => fc.tuple(fc.constant(sort), cursorOf[sort], fc.uuid())),
        fc.constantFrom(...SORTS),
        ([sort, key, id], other) => {
          const text = encodeCursor({ sort, key, id });
          expect(decodeCursor(text, sort)).toEqual({ sort, key, id });
          if (other !== sort) expect(decodeCursor(text, other)).toBeUndefined();
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('reads the newest-first cursors of earlier versions ([createdAt, id]) as newest', () => {
    const id = '0b1e7c0e-4b1a-4c55-8a55-0c7b1f0f2c11';
    const old = Buffer.from(JSON.stringify(['2026-01-02T03:04:05.678Z', id])).toString('base64url');
    expect(decodeCursor(old, 'newest')).toEqual({ sort: 'newest', key: '2026-01-02T03:04:05.678Z', id });
    expect(decodeCursor(old, 'price')).toBeUndefined();
  });

  it('any text decodes to nothing or to a cursor that encodes and decodes to itself, never an exception', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.base64String(), fc.string({ unit: 'binary' })),
        fc.constantFrom(...SORTS),
        (text, sort) => {
          const cursor = decodeCursor(text, sort);
          if (cursor) expect(decodeCursor(encodeCursor(cursor), sort)).toEqual(cursor);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe('the ticket routes (properties)', () => {
  let ctx: TicketsContext;

  beforeAll(async () => {
    ctx = await startTickets();
  });

  afterAll(async () => {
    await ctx.close();
  });

  const errorFormat = (body: unknown) =>
    expect(body).toEqual({
      errors: expect.arrayContaining([expect.objectContaining({ message: expect.any(String) })]),
    });

  it('answer any JSON body with 201 or a 400 in the error format, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.jsonValue(), fc.record({ title: fc.jsonValue(), price: fc.jsonValue() }, { requiredKeys: [] })),
        async (body) => {
          const response = await request(ctx.app)
            .post('/api/tickets')
            .set('Cookie', signin())
            .set('Content-Type', 'application/json')
            .send(JSON.stringify(body));

          expect([201, 400]).toContain(response.status);
          if (response.status === 400) errorFormat(response.body);
        },
      ),
      { numRuns: 300 },
    );
  }, 120_000);

  it('store any acceptable title and price exactly as given (titles trimmed)', async () => {
    const title = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 60 })
      .filter((text) => !FORBIDDEN_IN_TITLES.test(text) && text.trim().length > 0 && [...text.trim()].length <= 200);
    await fc.assert(
      fc.asyncProperty(title, fc.integer({ min: 1, max: MAX_PRICE * 100 }), async (text, cents) => {
        const created = await request(ctx.app)
          .post('/api/tickets')
          .set('Cookie', signin())
          .send({ title: text, price: fromCents(cents) });

        expect(created.status).toBe(201);
        const shown = await request(ctx.app).get(`/api/tickets/${created.body.id}`);
        expect(shown.body).toMatchObject({ title: text.trim(), price: fromCents(cents) });
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it('answer any list query with 200 or a 400 in the error format', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...QUERY_NAMES), fc.string()), async (query) => {
        const response = await request(ctx.app).get('/api/tickets').query(query);

        expect([200, 400]).toContain(response.status);
        if (response.status === 400) errorFormat(response.body);
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});
