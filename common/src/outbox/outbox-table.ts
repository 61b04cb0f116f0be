import { sql } from 'drizzle-orm';
import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Events waiting to be published, written in the same transaction as the change they
 * describe. `position` orders them; `id` becomes the message's `Nats-Msg-Id`.
 * A publishing service re-exports this table from its schema so its migrations create it.
 */
export const outbox = pgTable(
  'outbox',
  {
    position: bigserial('position', { mode: 'number' }).primaryKey(),
    id: uuid('id').notNull().unique(),
    subject: text('subject').notNull(),
    data: jsonb('data').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    publishedAt: timestamp('published_at', { withTimezone: true }),
  },
  (table) => [
    index('outbox_pending_idx')
      .on(table.position)
      .where(sql`${table.publishedAt} is null`),
  ],
);

/** One row of the outbox. */
export type OutboxRow = typeof outbox.$inferSelect;
