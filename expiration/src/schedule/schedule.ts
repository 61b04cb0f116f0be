import { eq, sql } from 'drizzle-orm';
import { versionedCopy, type Db } from '@ticketing/common/db';
import { expirations, type ExpirationSchema } from '../db/schema';

/** An order's events apply in version order over its row in `expirations`. */
const schedule = versionedCopy({
  table: expirations,
  id: expirations.orderId,
  version: expirations.version,
  entity: 'order',
});

/** order:created: the order expires at `expiresAt` unless something comes first. A repeat schedules nothing. */
export function scheduleExpiration(
  tx: Db<ExpirationSchema>,
  order: { id: string; version: number; expiresAt: string },
): Promise<'applied' | 'stale'> {
  return schedule.apply(tx, order, async () => {
    await tx
      .insert(expirations)
      .values({ orderId: order.id, version: order.version, dueAt: new Date(order.expiresAt) });
  });
}

/** order:cancelled / order:completed: nothing is left to expire (a row that already fired stays fired). */
export function dropExpiration(
  tx: Db<ExpirationSchema>,
  order: { id: string; version: number },
): Promise<'applied' | 'stale'> {
  return schedule.apply(tx, order, async () => {
    await tx
      .update(expirations)
      .set({
        version: order.version,
        droppedAt: sql`case when ${expirations.firedAt} is null then now() else ${expirations.droppedAt} end`,
      })
      .where(eq(expirations.orderId, order.id));
  });
}
