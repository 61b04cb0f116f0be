import { eq } from 'drizzle-orm';
import { versionedCopy, type Db } from '@ticketing/common/db';
import { orders, type PaymentsSchema } from './schema';

/** An order as payments knows it. */
export type OrderCopy = typeof orders.$inferSelect;

/** What order:created says about an order (price in dollars). */
export interface CreatedOrder {
  id: string;
  version: number;
  userId: string;
  expiresAt: string;
  ticket: { price: number };
}

const copy = versionedCopy({ table: orders, id: orders.id, version: orders.version, entity: 'order' });

/** Payments' copy of the orders, on the database or inside a transaction. */
export class OrderCopies {
  constructor(private readonly db: Db<PaymentsSchema>) {}

  /** The order, or undefined when payments has not heard of it. */
  async find(id: string): Promise<OrderCopy | undefined> {
    const [row] = await this.db.select().from(orders).where(eq(orders.id, id)).limit(1);
    return row;
  }

  /** The order, locked until the transaction ends: a payment's outcome and the order's cancellation meet here. */
  async lock(id: string): Promise<OrderCopy | undefined> {
    const [row] = await this.db.select().from(orders).where(eq(orders.id, id)).for('update');
    return row;
  }

  /** Adds a new order (version 0); a repeated or older version does nothing, an early one waits. */
  applyCreated(order: CreatedOrder): Promise<'applied' | 'stale'> {
    return copy.apply(this.db, order, async () => {
      await this.db.insert(orders).values({
        id: order.id,
        userId: order.userId,
        status: 'created',
        priceCents: Math.round(order.ticket.price * 100),
        version: order.version,
        expiresAt: new Date(order.expiresAt),
      });
    });
  }

  /**
   * Applies an order's change of status (cancelled, completed) on top of the version before,
   * then runs `after` in the same transaction (e.g. to queue a refund).
   */
  applyStatus(
    order: { id: string; version: number },
    status: 'cancelled' | 'complete',
    after: () => Promise<void> = async () => {},
  ): Promise<'applied' | 'stale'> {
    return copy.apply(this.db, order, async () => {
      await this.db.update(orders).set({ status, version: order.version }).where(eq(orders.id, order.id));
      await after();
    });
  }
}
