import { eq, sql } from 'drizzle-orm';
import { applyInVersionOrder, lockedVersion, type Db } from '@ticketing/common/db';
import { expirations, type ExpirationSchema } from '../db/schema';

/** Applies one of an order's events in version order, over its row in `expirations`. */
function inVersionOrder(
  tx: Db<ExpirationSchema>,
  order: { id: string; version: number },
  apply: () => Promise<void>,
): Promise<'applied' | 'stale'> {
  return applyInVersionOrder({
    id: order.id,
    entity: 'order',
    version: order.version,
    current: () => lockedVersion(tx, expirations, { id: expirations.orderId, version: expirations.version }, order.id),
    apply,
  });
}

/** order:created: the order expires at `expiresAt` unless something comes first. A repeat schedules nothing. */
export function scheduleExpiration(
  tx: Db<ExpirationSchema>,
  order: { id: string; version: number; expiresAt: string },
): Promise<'applied' | 'stale'> {
  return inVersionOrder(tx, order, async () => {
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
  return inVersionOrder(tx, order, async () => {
    await tx
      .update(expirations)
      .set({
        version: order.version,
        droppedAt: sql`case when ${expirations.firedAt} is null then now() else ${expirations.droppedAt} end`,
      })
      .where(eq(expirations.orderId, order.id));
  });
}
