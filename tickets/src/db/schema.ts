import { boolean, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { inbox, outbox } from '@ticketing/common/db';

/**
 * Tickets for sale. Money is integer cents (exact); `created_at` keeps milliseconds only,
 * so the list cursor (which carries it) compares exactly. `order_id` names the order that
 * holds the ticket, null while it is free; `sold` is set once that order is paid (for good:
 * a paid order is never cancelled).
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
    orderId: uuid('order_id'),
    sold: boolean('sold').notNull().default(false),
  },
  (table) => [index('tickets_newest_idx').on(table.createdAt.desc(), table.id.desc())],
);

/**
 * The last version of each order tickets has applied: order events arrive on separate
 * subjects, so a cancellation can come before its order's creation and must wait for it.
 */
export const orderVersions = pgTable('order_versions', {
  id: uuid('id').primaryKey(),
  version: integer('version').notNull(),
});

export { inbox, outbox };
export const schema = { tickets, orderVersions, inbox, outbox };
export type TicketsSchema = typeof schema;
