import { index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Messages a consumer has handled: one row per (consumer, `Nats-Msg-Id`), written in the
 * handler's transaction, so a redelivered message is recognised and has no effect.
 * A consuming service re-exports this table from its schema so its migrations create it.
 */
export const inbox = pgTable(
  'inbox',
  {
    consumer: text('consumer').notNull(),
    messageId: text('message_id').notNull(),
    handledAt: timestamp('handled_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.consumer, table.messageId] }),
    index('inbox_handled_at_idx').on(table.handledAt),
  ],
);
