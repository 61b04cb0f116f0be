import { integer, pgTable, text, timestamp, uuid, index } from 'drizzle-orm/pg-core';
import { outbox } from '@ticketing/common/db';

/**
 * Tickets for sale. Money is integer cents (exact); `created_at` keeps milliseconds only,
 * so the list cursor (which carries it) compares exactly.
 */
export const tickets = pgTable(
  'tickets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: text('title').notNull(),
    priceCents: integer('price_cents').notNull(),
    userId: text('user_id').notNull(),
    version: integer('version').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [index('tickets_newest_idx').on(table.createdAt.desc(), table.id.desc())],
);

export { outbox };
export const schema = { tickets, outbox };
export type TicketsSchema = typeof schema;
