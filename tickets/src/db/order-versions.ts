import { versionedCopy, type Db } from '@ticketing/common/db';
import { orderVersions, type TicketsSchema } from './schema';

const copy = versionedCopy({
  table: orderVersions,
  id: orderVersions.id,
  version: orderVersions.version,
  entity: 'order',
});

/** The last version of each order tickets has seen, on the database or inside a transaction. */
export class OrderVersions {
  constructor(private readonly db: Db<TicketsSchema>) {}

  /**
   * Runs `apply` for version `order.version` of an order only on top of the version before
   * (an order's cancellation waits for its creation), recording the version it reached.
   */
  apply(order: { id: string; version: number }, apply: () => Promise<void>): Promise<'applied' | 'stale'> {
    return copy.apply(this.db, order, async () => {
      await this.db
        .insert(orderVersions)
        .values(order)
        .onConflictDoUpdate({ target: orderVersions.id, set: { version: order.version } });
      await apply();
    });
  }
}
