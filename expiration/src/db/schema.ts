import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';
import { inbox, outbox } from '@ticketing/common/db';

/**
 * One row per order: when it expires, and what became of that. `version` is the order's
 * last version applied here (created 0, then cancelled or completed 1), so a cancellation
 * that overtakes its order's creation waits for it. A row fires once (`fired_at`), unless
 * the order was paid or cancelled first (`dropped_at`). `trace_context` is the trace of the
 * order's placing (null with tracing off), which the expiry, a trace of its own, links to.
 */
export const expirations = pgTable(
  'expirations',
  {
    orderId: uuid('order_id').primaryKey(),
    version: integer('version').notNull(),
    dueAt: timestamp('due_at', { withTimezone: true, precision: 3 }).notNull(),
    firedAt: timestamp('fired_at', { withTimezone: true, precision: 3 }),
    droppedAt: timestamp('dropped_at', { withTimezone: true, precision: 3 }),
    traceContext: jsonb('trace_context').$type<Record<string, string>>(),
  },
  (table) => [
    index('expirations_pending_by_due')
      .on(table.dueAt)
      .where(sql`${table.firedAt} is null and ${table.droppedAt} is null`),
  ],
);

export { inbox, outbox };
export const schema = { expirations, inbox, outbox };
export type ExpirationSchema = typeof schema;
