import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '@ticketing/common/testing';
import { TicketReads } from '../src/db/ticket-repository';
import { migrationsFolder } from '../src/db/migrations-folder';
import { schema, type TicketsSchema } from '../src/db/schema';

let database: TestDatabase<TicketsSchema>;

beforeAll(async () => {
  database = await createTestDatabase({ schema, migrationsFolder });
  await database.db.execute(sql`
    insert into tickets (id, title, price_cents, user_id, created_at)
    select gen_random_uuid(), 'Gig', 1000, 'u1', now() - make_interval(secs => g)
    from generate_series(1, 5000) g`);
  await database.db.execute(sql`analyze tickets`);
}, 60_000);

afterAll(async () => {
  await database?.close();
});

const values: Record<string, string> = {
  limit: '51',
  createdAt: `'${new Date(Date.now() - 2_500_000).toISOString()}'`,
  id: `'${randomUUID()}'`,
};

describe('the list of tickets', () => {
  it('reads a page from the newest-first index, first page and later ones, without sorting the table', async () => {
    const queries = new TicketReads(database.db).listQueries();

    const plans = [];
    for (const { text, placeholders } of queries) {
      const literal = text.replace(/\$(\d+)/g, (_match, n: string) => values[placeholders[Number(n) - 1]!]!);
      const result = (await database.db.execute(sql.raw(`explain ${literal}`))) as unknown as {
        rows: { 'QUERY PLAN': string }[];
      };
      plans.push(result.rows.map((row) => row['QUERY PLAN']).join('\n'));
    }

    expect(plans).toHaveLength(2);
    for (const plan of plans) {
      expect(plan).toContain('Index Scan using tickets_newest_idx');
      expect(plan).not.toMatch(/Sort/);
    }
  });
});
