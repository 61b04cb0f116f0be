import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { date, interval, numeric, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/pglite';
import { clientForDrizzle } from '../src/db/pglite-client';
import { inSpan } from '../src/telemetry/trace';
import { recordSpans } from '../src/testing';

// Every type Drizzle asks PGlite to leave as text, in each mode Drizzle reads them.
const moments = pgTable('moments', {
  id: text('id').primaryKey(),
  at: timestamp('at', { mode: 'date', precision: 3 }),
  atText: timestamp('at_text', { mode: 'string' }),
  atZone: timestamp('at_zone', { withTimezone: true, mode: 'date' }),
  day: date('day', { mode: 'date' }),
  dayText: date('day_text'),
  span: interval('span'),
  amounts: numeric('amounts').array(),
  ats: timestamp('ats', { withTimezone: true, mode: 'string' }).array(),
  spans: interval('spans').array(),
  days: date('days').array(),
  plainAts: timestamp('plain_ats', { mode: 'string' }).array(),
});

const row = {
  id: 'a',
  at: new Date('2026-11-22T06:30:00.123Z'),
  atText: '2026-11-22 06:30:00.5',
  atZone: new Date('2026-01-02T03:04:05.678Z'),
  day: new Date('2026-02-28T00:00:00.000Z'),
  dayText: '2026-03-01',
  span: '1 day 02:03:04',
  amounts: ['1.50', '12345678901234567890.01'],
  ats: ['2026-11-22 06:30:00+00', '2027-01-01 00:00:00.25+00'],
  spans: ['00:15:00', '2 mons'],
  days: ['2026-12-24', '2026-12-31'],
  plainAts: ['2026-11-22 06:30:00'],
};

let plain: PGlite;
let wrapped: PGlite;

beforeAll(async () => {
  [plain, wrapped] = await Promise.all([PGlite.create(), PGlite.create()]);
  for (const client of [plain, wrapped]) {
    await client.exec(`set timezone = 'UTC';
      create table moments (id text primary key, at timestamp(3), at_text timestamp, at_zone timestamptz,
        day date, day_text date, span interval, amounts numeric[], ats timestamptz[], spans interval[],
        days date[], plain_ats timestamp[])`);
  }
}, 60_000);

afterAll(async () => {
  await Promise.all([plain?.close(), wrapped?.close()]);
});

describe('the PGlite client handed to Drizzle', () => {
  it('reads every type Drizzle maps itself exactly as Drizzle does on a plain client, in and out of transactions', async () => {
    const reference = drizzle({ client: plain });
    const db = drizzle({ client: clientForDrizzle(wrapped) as PGlite });
    const read = async (handle: typeof db) => {
      await handle.delete(moments);
      await handle.insert(moments).values(row);
      const selected = await handle.select().from(moments);
      const raw = (await handle.execute(sql`select * from moments`)).rows;
      const inTransaction = await handle.transaction(async (tx) => {
        const [updated] = await tx
          .update(moments)
          .set({ span: '3 hours' })
          .where(sql`id = 'a'`)
          .returning();
        const nested = await tx.transaction(async (inner) => inner.select().from(moments));
        return { updated, nested };
      });
      return { selected, raw, inTransaction };
    };

    const expected = await read(reference);
    const actual = await read(db);

    expect(expected.selected).toEqual([row]);
    expect(expected.inTransaction.updated).toEqual({ ...row, span: '03:00:00' });
    expect(actual).toEqual(expected);
  });

  it('still applies parsers a query brings for other types', async () => {
    const client = clientForDrizzle(wrapped);

    const result = await client.query<{ n: unknown }>('select 41 as n', [], {
      parsers: { 23: (value: string) => Number(value) + 1 },
    });

    expect(result.rows).toEqual([{ n: 42 }]);
  });

  it('records each query inside a traced piece of work as a span, in and out of transactions, and none outside one', async () => {
    const recorder = recordSpans();
    try {
      const db = drizzle({ client: clientForDrizzle(wrapped) as PGlite });
      await db.select().from(moments);
      await inSpan('work', {}, async () => {
        await db.select().from(moments);
        await db.transaction(async (tx) => {
          await tx
            .update(moments)
            .set({ span: '1 hour' })
            .where(sql`id = 'nobody'`);
        });
      });
      const spans = recorder.spans();
      const work = spans.find((span) => span.name === 'work')!;
      const queries = spans.filter((span) => span.name.startsWith('pglite.query:'));
      expect(queries.map((span) => span.name)).toEqual(['pglite.query:SELECT', 'pglite.query:UPDATE']);
      for (const query of queries) {
        expect(query.parentSpanContext?.spanId).toBe(work.spanContext().spanId);
        expect(query.attributes).toMatchObject({ 'db.system.name': 'postgresql', 'ticketing.db.engine': 'pglite' });
      }
      expect(queries[1]!.attributes['db.query.text']).toMatch(
        /^update "moments" set "span" = \$1 where id = 'nobody'$/,
      );
    } finally {
      await recorder.stop();
    }
  });
});
