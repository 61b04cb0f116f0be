import { randomUUID } from 'node:crypto';
import { fillPlaceholders, sql } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '@ticketing/common/testing';
import { TicketReads } from '../src/db/ticket-repository';
import { migrationsFolder } from '../src/db/migrations-folder';
import { schema, type TicketsSchema } from '../src/db/schema';
import { SORTS, type ListCursor, type Sort } from '../src/tickets/cursor';

let database: TestDatabase<TicketsSchema>;

beforeAll(async () => {
  database = await createTestDatabase({ schema, migrationsFolder });
  // Half of them dated, over the coming year; prices in whole dollars, so many tie.
  await database.db.execute(sql`
    insert into tickets (id, title, price_cents, user_id, created_at, event_at, city_key, search_text)
    select gen_random_uuid(), 'Gig ' || g, 100 * (1 + g % 300), 'u' || (g % 50), now() - make_interval(secs => g),
           case when g % 2 = 0 then now() + make_interval(hours => g) end, case when g % 3 = 0 then 'boston' end,
           'gig ' || g
    from generate_series(1, 5000) g`);
  await database.db.execute(sql`analyze tickets`);
}, 60_000);

afterAll(async () => {
  await database?.close();
});

/** The plan PostgreSQL makes for a search's statement, its values written in. */
async function planOf({ statement, values }: ReturnType<TicketReads['searchQuery']>): Promise<string> {
  const { sql: text, params: placeholders } = statement.toSQL();
  const params = fillPlaceholders(placeholders, values);
  const literal = text.replace(/\$(\d+)/g, (_match, n: string) => {
    const value = params[Number(n) - 1];
    return typeof value === 'number' ? String(value) : `'${String(value).replace(/'/g, "''")}'`;
  });
  const result = (await database.db.execute(sql.raw(`explain ${literal}`))) as unknown as {
    rows: { 'QUERY PLAN': string }[];
  };
  return result.rows.map((row) => row['QUERY PLAN']).join('\n');
}

const INDEX_OF: Record<Sort, string> = {
  newest: 'tickets_newest_idx',
  soonest: 'tickets_soonest_idx',
  price: 'tickets_price_idx',
  '-price': 'tickets_price_idx',
};

const KEY_OF: Record<Sort, ListCursor['key']> = {
  newest: new Date(Date.now() - 2_500_000).toISOString(),
  soonest: new Date(Date.now() + 86_400_000).toISOString(),
  price: 15_000,
  '-price': 15_000,
};

describe('the list of tickets', () => {
  it.each(SORTS)(
    'reads a page in %s order from its index, first page and later ones, without sorting',
    async (sort) => {
      const reads = new TicketReads(database.db);
      const now = new Date();
      const cursor = { sort, key: KEY_OF[sort], id: randomUUID() };

      for (const query of [
        reads.searchQuery({ sort }, 51, undefined, now),
        reads.searchQuery({ sort }, 51, cursor, now),
      ]) {
        const plan = await planOf(query);
        expect(plan).toContain(`Index Scan${sort === '-price' ? ' Backward' : ''} using ${INDEX_OF[sort]}`);
        expect(plan).not.toMatch(/Sort/);
      }
    },
  );

  it('finds words through the full-text index and a city through its own', async () => {
    const reads = new TicketReads(database.db);
    const now = new Date();

    expect(await planOf(reads.searchQuery({ sort: 'newest', q: '499' }, 51, undefined, now))).toContain(
      'tickets_search_idx',
    );
    expect(await planOf(reads.searchQuery({ sort: 'soonest', city: 'boston' }, 51, undefined, now))).toMatch(
      /tickets_(city|soonest)_idx/,
    );
  });
});
