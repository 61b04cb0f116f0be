import { versionedCopy, type Db } from '@ticketing/common/db';
import { orderVersions, type TicketsSchema } from '../db/schema';

/**
 * Runs `apply` for version `version` of an order only on top of the version before (an
 * order's cancellation waits for its creation), recording the version it reached.
 */
const orders = versionedCopy({
  table: orderVersions,
  id: orderVersions.id,
  version: orderVersions.version,
  entity: 'order',
});

export function applyOrderVersion(
  tx: Db<TicketsSchema>,
  order: { id: string; version: number },
  apply: () => Promise<void>,
): Promise<'applied' | 'stale'> {
  return orders.apply(tx, order, async () => {
    await tx
      .insert(orderVersions)
      .values(order)
      .onConflictDoUpdate({ target: orderVersions.id, set: { version: order.version } });
    await apply();
  });
}
