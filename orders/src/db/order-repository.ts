import { and, eq, inArray, isNull, lte, not, sql } from 'drizzle-orm';
import { changeWithEvent, descNullsLast, enqueueEvent, type Db } from '@ticketing/common/db';
import { OrderStatus, Subjects, type EventData } from '@ticketing/common/events';
import { orders, outbox, tickets, type OrdersSchema } from './schema';

/** An order row as orders stores it. */
export type OrderRow = typeof orders.$inferSelect;

/** What a change of status did: the order's new version and its event, or nothing (it was not `created` any more). */
export type Transition = { id: string; version: number; ticketId: string; eventId: string } | undefined;

// Any constant will do, as long as every replica uses the same one: the first key of the
// advisory lock that makes one buyer's reservations take turns (the second is the buyer's).
export const BUYER_LOCK_KEY = 0x62757972; // "buyr"

/** The orders table, on the database or inside a transaction; every change commits with its event. */
export class OrderRepository {
  constructor(private readonly db: Db<OrdersSchema>) {}

  /** Makes the buyer's reservations take turns until the transaction ends. */
  async lockBuyer(userId: string): Promise<void> {
    await this.db.execute(sql`select pg_advisory_xact_lock(${BUYER_LOCK_KEY}, hashtext(${userId}))`);
  }

  /**
   * Inserts the order and its order:created in one statement, unless the buyer already
   * holds `maxOpen` orders awaiting payment; resolves false then. A unique violation means
   * another order holds the ticket.
   */
  async insertUnderCap(
    order: { id: string; userId: string; ticketId: string; expiresAt: string; priceCents: number },
    maxOpen: number,
    event: EventData<Subjects.OrderCreated>,
  ): Promise<boolean> {
    const placed = await changeWithEvent(
      this.db,
      sql`insert into ${orders} (id, user_id, ticket_id, status, expires_at, price_cents)
          select ${order.id}, ${order.userId}, ${order.ticketId}, ${OrderStatus.Created}, ${order.expiresAt}::timestamptz,
                 ${order.priceCents}
          where (select count(*) from ${orders}
                 where user_id = ${order.userId} and status = 'created') < ${maxOpen}
          returning id`,
      Subjects.OrderCreated,
      event,
    );
    return placed.length > 0;
  }

  /**
   * Whether another order holds the ticket, as the unique index on holding orders would
   * find when inserting: a `created` or `complete` order, but for the buyer's own overdue
   * one (which the buyer's next order cancels first). One indexed lookup, no transaction.
   */
  async heldAgainst(ticketId: string, userId: string): Promise<boolean> {
    const [row] = await this.db
      .select({ id: orders.id })
      .from(orders)
      .where(
        and(
          eq(orders.ticketId, ticketId),
          inArray(orders.status, [OrderStatus.Created, OrderStatus.Complete]),
          not(
            and(eq(orders.status, OrderStatus.Created), eq(orders.userId, userId), lte(orders.expiresAt, sql`now()`))!,
          ),
        ),
      )
      .limit(1);
    return row !== undefined;
  }

  /** The buyer's `created` orders whose `expiresAt` has passed. */
  async overdueIds(userId: string): Promise<string[]> {
    const rows = await this.db
      .select({ id: orders.id })
      .from(orders)
      .where(and(eq(orders.userId, userId), eq(orders.status, OrderStatus.Created), lte(orders.expiresAt, sql`now()`)));
    return rows.map((row) => row.id);
  }

  /**
   * Moves an order from `created` to `to` with the next version, and queues the event that
   * says so. A conditional update: an order that is no longer `created` (paid, cancelled,
   * expired) is left alone, so late or repeated calls do nothing.
   */
  async leaveCreated(id: string, to: OrderStatus.Cancelled | OrderStatus.Complete): Promise<Transition> {
    const [row] = await this.db
      .update(orders)
      .set({
        status: to,
        version: sql`${orders.version} + 1`,
        cancelledAt: to === OrderStatus.Cancelled ? sql`now()` : null,
      })
      .where(and(eq(orders.id, id), eq(orders.status, OrderStatus.Created)))
      .returning({ id: orders.id, version: orders.version, ticketId: orders.ticketId });
    if (!row) return undefined;
    const data = { id: row.id, version: row.version, ticket: { id: row.ticketId } };
    const eventId =
      to === OrderStatus.Cancelled
        ? await enqueueEvent(this.db, Subjects.OrderCancelled, data)
        : await enqueueEvent(this.db, Subjects.OrderCompleted, data);
    return { ...row, eventId };
  }

  /** The user's orders with their tickets, newest first. */
  listWithTickets(userId: string) {
    return this.db
      .select({ order: orders, ticket: tickets })
      .from(orders)
      .innerJoin(tickets, eq(orders.ticketId, tickets.id))
      .where(eq(orders.userId, userId))
      .orderBy(descNullsLast(orders.createdAt), descNullsLast(orders.id));
  }

  /** One order with its ticket. */
  async findWithTicket(id: string) {
    const [row] = await this.db
      .select({ order: orders, ticket: tickets })
      .from(orders)
      .innerJoin(tickets, eq(orders.ticketId, tickets.id))
      .where(eq(orders.id, id))
      .limit(1);
    return row;
  }

  /** The order, locked until the transaction ends. */
  async lock(id: string): Promise<OrderRow | undefined> {
    const [row] = await this.db.select().from(orders).where(eq(orders.id, id)).for('update');
    return row;
  }

  /** The ids of the order's events still waiting in the outbox. */
  async queuedEventIds(id: string): Promise<string[]> {
    const rows = await this.db
      .select({ id: outbox.id })
      .from(outbox)
      .where(and(eq(outbox.aggregate, id), isNull(outbox.publishedAt), isNull(outbox.failedAt)));
    return rows.map((row) => row.id);
  }
}
