import { lt } from 'drizzle-orm';
import type { Db } from '../db/open-database';
import { inbox } from './inbox-table';

/**
 * Runs `handler` in one transaction with the inbox row (consumer, message id): the first
 * delivery takes effect, and any event the handler enqueues commits with it; a later
 * delivery of the same message finds the row and does nothing. Resolves true when the
 * handler ran, false for a duplicate. A handler that throws rolls everything back, the
 * inbox row included, so the message can be handled again.
 */
export async function handleOnce<TSchema extends Record<string, unknown>>(
  db: Db<TSchema>,
  consumer: string,
  messageId: string,
  handler: (tx: Db<TSchema>) => Promise<void>,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const first = await tx
      .insert(inbox)
      .values({ consumer, messageId })
      .onConflictDoNothing()
      .returning({ messageId: inbox.messageId });
    if (first.length === 0) return false;
    await handler(tx as unknown as Db<TSchema>);
    return true;
  });
}

/** Deletes inbox rows handled before `before`; resolves with how many went. */
export async function pruneInbox(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Db<any>,
  before: Date,
): Promise<number> {
  const removed = await db.delete(inbox).where(lt(inbox.handledAt, before)).returning({ id: inbox.messageId });
  return removed.length;
}
