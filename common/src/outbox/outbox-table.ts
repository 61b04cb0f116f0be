import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** The channel a commit that queued events notifies, so relays publish at once. */
export const OUTBOX_CHANNEL = 'outbox';

/**
 * Events waiting to be published, written in the same transaction as the change they
 * describe. `position` orders them; `id` becomes the message's `Nats-Msg-Id`; `aggregate`
 * is the entity whose events must stay in order. A row that keeps failing is marked
 * `failed_at` with its `last_error` and no longer blocks the others. `trace_context` is the
 * W3C trace context of the span that queued it (null with tracing off), which the relay
 * continues and sends in the message's `traceparent` header.
 * A publishing service re-exports this table from its schema so its migrations create it.
 */
export const outbox = pgTable(
  'outbox',
  {
    position: bigserial('position', { mode: 'number' }).primaryKey(),
    id: uuid('id').notNull().unique(),
    subject: text('subject').notNull(),
    data: jsonb('data').notNull(),
    aggregate: text('aggregate').notNull().default(''),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    failedAt: timestamp('failed_at', { withTimezone: true }),
    traceContext: jsonb('trace_context').$type<Record<string, string>>(),
  },
  (table) => [
    index('outbox_pending_idx')
      .on(table.position)
      .where(sql`${table.publishedAt} is null and ${table.failedAt} is null`),
    index('outbox_failed_idx')
      .on(table.aggregate, table.position)
      .where(sql`${table.failedAt} is not null`),
  ],
);
