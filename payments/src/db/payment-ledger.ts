import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import { descNullsLast, enqueueEvent, type Db } from '@ticketing/common/db';
import { Subjects } from '@ticketing/common/events';
import { OrderCopies, type OrderCopy } from './order-copy';
import { payments, type PaymentsSchema, type PaymentStatus } from './schema';

/** A stored payment row. */
export type PaymentRow = typeof payments.$inferSelect;

/** The currency of every charge. */
export const CURRENCY = 'usd';

/** The idempotency key of a payment's current attempt: the same attempt always sends the same key. */
export function chargeKey(payment: Pick<PaymentRow, 'orderId' | 'attempt'>): string {
  return `payment:${payment.orderId}:${payment.attempt}`;
}

/** The idempotency key of an order's refund: there is at most one. */
export function refundKey(payment: Pick<PaymentRow, 'orderId'>): string {
  return `refund:${payment.orderId}`;
}

const leaseFromNow = (ms: number) => sql`now() + ${ms} * interval '1 millisecond'`;

/**
 * The payments table: every change is one conditional statement (or one transaction), so
 * concurrent requests, replicas and the sweep each find out from the database whether
 * they won — never from what they read a moment before.
 */
export class PaymentLedger {
  constructor(
    private readonly db: Db<PaymentsSchema>,
    private readonly leaseMs: number,
  ) {}

  /** The order's payment, if any. */
  async find(orderId: string): Promise<PaymentRow | undefined> {
    const [row] = await this.db.select().from(payments).where(eq(payments.orderId, orderId));
    return row;
  }

  /** The user's payments (of one order, when given), newest first. */
  listFor(userId: string, orderId?: string): Promise<PaymentRow[]> {
    return this.db
      .select()
      .from(payments)
      .where(and(eq(payments.userId, userId), orderId ? eq(payments.orderId, orderId) : undefined))
      .orderBy(descNullsLast(payments.createdAt), descNullsLast(payments.id));
  }

  /** How many rows are in `status` (for `/readyz`). */
  async countUnsettled(status: Extract<PaymentStatus, 'pending' | 'refunding'>): Promise<number> {
    const [row] = await this.db
      .select({ count: sql<number>`count(*)::int` })
      .from(payments)
      .where(eq(payments.status, status));
    return row?.count ?? 0;
  }

  /** Writes the order's first attempt, pending and leased to the caller; undefined when the order has a payment. */
  async startFirst(order: OrderCopy, token: string): Promise<PaymentRow | undefined> {
    const [row] = await this.db
      .insert(payments)
      .values({
        orderId: order.id,
        userId: order.userId,
        amountCents: order.priceCents,
        currency: CURRENCY,
        status: 'pending',
        token,
        claimedUntil: leaseFromNow(this.leaseMs),
      })
      .onConflictDoNothing({ target: payments.orderId })
      .returning();
    return row;
  }

  /** After a declined attempt: the next one, pending and leased to the caller; undefined when it is not declined. */
  async startNext(orderId: string, token: string): Promise<PaymentRow | undefined> {
    const [row] = await this.db
      .update(payments)
      .set({
        status: 'pending',
        attempt: sql`${payments.attempt} + 1`,
        token,
        claimedUntil: leaseFromNow(this.leaseMs),
        updatedAt: sql`now()`,
      })
      .where(and(eq(payments.orderId, orderId), eq(payments.status, 'declined')))
      .returning();
    return row;
  }

  /** Takes over a pending attempt whose lease ran out (its instance died, or gave up): undefined when there is none. */
  async takeOver(orderId: string): Promise<PaymentRow | undefined> {
    const [row] = await this.db
      .update(payments)
      .set({ claimedUntil: leaseFromNow(this.leaseMs) })
      .where(and(eq(payments.orderId, orderId), eq(payments.status, 'pending'), lte(payments.claimedUntil, sql`now()`)))
      .returning();
    return row;
  }

  /** Leases up to `limit` rows in `status` whose lease ran out, for the sweep. */
  claimDue(status: Extract<PaymentStatus, 'pending' | 'refunding'>, limit = 10): Promise<PaymentRow[]> {
    const due = this.db
      .select({ id: payments.id })
      .from(payments)
      .where(and(eq(payments.status, status), lte(payments.claimedUntil, sql`now()`)))
      .orderBy(payments.claimedUntil)
      .limit(limit)
      .for('update', { skipLocked: true });
    return this.db
      .update(payments)
      .set({ claimedUntil: leaseFromNow(this.leaseMs) })
      .where(and(inArray(payments.id, due), eq(payments.status, status), lte(payments.claimedUntil, sql`now()`)))
      .returning();
  }

  /** Gives the row back to the sweep, which tries again after `delayMs`. */
  async release(payment: PaymentRow, delayMs: number): Promise<void> {
    await this.db
      .update(payments)
      .set({ claimedUntil: leaseFromNow(delayMs) })
      .where(
        and(eq(payments.id, payment.id), eq(payments.status, payment.status), eq(payments.attempt, payment.attempt)),
      );
  }

  /** Records that the attempt was declined (nothing charged): the next request makes a new attempt. */
  async markDeclined(payment: PaymentRow): Promise<void> {
    await this.db
      .update(payments)
      .set({ status: 'declined', claimedUntil: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(payments.id, payment.id), eq(payments.status, 'pending'), eq(payments.attempt, payment.attempt)));
  }

  /**
   * Records the attempt's charge and queues payment:created, in one transaction. Read under
   * the order's lock: if the order was cancelled meanwhile, the payment goes straight to
   * `refunding`. Resolves with the row as recorded, or undefined when another instance
   * recorded this attempt first.
   */
  markCharged(payment: PaymentRow, chargeId: string): Promise<PaymentRow | undefined> {
    return this.db.transaction(async (tx) => {
      const order = await new OrderCopies(tx).lock(payment.orderId);
      const [row] = await tx
        .update(payments)
        .set({
          status: order?.status === 'cancelled' ? 'refunding' : 'succeeded',
          chargeId,
          claimedUntil: sql`now()`,
          updatedAt: sql`now()`,
        })
        .where(and(eq(payments.id, payment.id), eq(payments.status, 'pending'), eq(payments.attempt, payment.attempt)))
        .returning();
      if (!row) return undefined;
      await enqueueEvent(tx, Subjects.PaymentCreated, { id: row.id, orderId: row.orderId, chargeId });
      return row;
    });
  }

  /** The order was cancelled: a charge that succeeded is to be refunded (call inside the order's transaction). */
  static async queueRefund(tx: Db<PaymentsSchema>, orderId: string): Promise<boolean> {
    const queued = await tx
      .update(payments)
      .set({ status: 'refunding', claimedUntil: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(payments.orderId, orderId), eq(payments.status, 'succeeded')))
      .returning({ id: payments.id });
    return queued.length > 0;
  }

  /** Records the refund and queues payment:refunded, in one transaction; false when another instance did. */
  markRefunded(payment: PaymentRow, refundId: string | null): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .update(payments)
        .set({ status: 'refunded', refundId, claimedUntil: sql`now()`, updatedAt: sql`now()` })
        .where(and(eq(payments.id, payment.id), eq(payments.status, 'refunding')))
        .returning();
      if (!row) return false;
      await enqueueEvent(tx, Subjects.PaymentRefunded, { id: row.id, orderId: row.orderId, chargeId: row.chargeId! });
      return true;
    });
  }
}
