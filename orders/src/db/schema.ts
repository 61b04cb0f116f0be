import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { inbox, outbox } from '@ticketing/common/db';

/**
 * The tickets orders can be placed for: a copy kept from ticket:created / ticket:updated,
 * in version order. Money is integer cents. What it keeps of the event is what an order is
 * refused by: when it starts (null: to be announced), and whether its seller withdrew it.
 */
export const tickets = pgTable('tickets', {
  id: uuid('id').primaryKey(),
  title: text('title').notNull(),
  priceCents: integer('price_cents').notNull(),
  userId: text('user_id').notNull(),
  version: integer('version').notNull(),
  eventAt: timestamp('event_at', { withTimezone: true, precision: 3 }),
  withdrawn: boolean('withdrawn').notNull().default(false),
});

/** Order statuses as stored; `created` and `complete` hold the ticket. */
export const ORDER_STATUSES = ['created', 'cancelled', 'complete'] as const;

/**
 * Orders. At most one order per ticket is `created` or `complete` (a partial unique index),
 * so two buyers racing for a ticket cannot both win, whatever the number of replicas.
 */
export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: text('user_id').notNull(),
    status: text('status', { enum: ORDER_STATUSES }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
    version: integer('version').notNull().default(0),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id),
    /**
     * What the buyer pays, fixed when the order is placed: a later edit of the listing
     * changes the ticket, never an order already placed. It travels in order:created. Null
     * only for orders an instance of an earlier version placed during a rolling update.
     */
    priceCents: integer('price_cents'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** When it was cancelled (by its buyer, or by its expiry); null otherwise. */
    cancelledAt: timestamp('cancelled_at', { withTimezone: true, precision: 3 }),
  },
  (table) => [
    uniqueIndex('orders_one_holding_order_per_ticket')
      .on(table.ticketId)
      .where(sql`${table.status} in ('created', 'complete')`),
    index('orders_by_user_newest').on(table.userId, table.createdAt.desc(), table.id.desc()),
    // A buyer's orders still holding a ticket, counted against the cap on every new order.
    index('orders_holding_by_user')
      .on(table.userId)
      .where(sql`${table.status} = 'created'`),
    check('orders_status_known', sql`${table.status} in ('created', 'cancelled', 'complete')`),
  ],
);

export { inbox, outbox };
export const schema = { tickets, orders, inbox, outbox };
export type OrdersSchema = typeof schema;
