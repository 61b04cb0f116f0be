import { and, eq, isNull, lte, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { changeWithEvent, descNullsLast, enqueueEvent, isUniqueViolation, type Db } from '@ticketing/common/db';
import { OrderStatus, Subjects } from '@ticketing/common/events';
import { BadRequestError, NotAuthorizedError, NotFoundError } from '@ticketing/common/http';
import { orders, outbox, tickets, type OrdersSchema } from '../db/schema';
import { findTicket } from '../db/ticket-copy';
import { toOrder, type Order } from './order-view';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a change of status did: the order's new version and its event, or nothing (it was not `created` any more). */
type Transition = { id: string; version: number; ticketId: string; eventId: string } | undefined;

// Any constant will do, as long as every replica uses the same one: the first key of the
// advisory lock that makes one buyer's reservations take turns (the second is the buyer's).
export const BUYER_LOCK_KEY = 0x62757972; // "buyr"

/**
 * Moves an order from `created` to `to` with the next version, and queues the event that
 * says so, in the caller's transaction. A conditional update: an order that is no longer
 * `created` (paid, cancelled, expired) is left alone, so late or repeated calls do nothing.
 */
async function leaveCreated(
  tx: Db<OrdersSchema>,
  id: string,
  to: OrderStatus.Cancelled | OrderStatus.Complete,
): Promise<Transition> {
  const [row] = await tx
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
      ? await enqueueEvent(tx, Subjects.OrderCancelled, data)
      : await enqueueEvent(tx, Subjects.OrderCompleted, data);
  return { ...row, eventId };
}

/** How orders are placed and what a buyer may hold. */
export interface OrderRules {
  /** How long a reservation waits for its payment before it expires. */
  expirationWindowSeconds: number;
  /** How many orders awaiting payment one buyer may hold at once. */
  maxOpenOrdersPerBuyer: number;
  /**
   * Resolves once the events with these ids are on the bus (or it gave up waiting); the
   * outbox delivers them in any case. Orders waits for a cancellation's event before
   * answering, so a payment the buyer sends next already finds it there.
   */
  published?: (eventIds: string[]) => Promise<unknown>;
}

/**
 * Placing, reading and cancelling orders, and the status changes events bring. Every
 * change commits with its event in the outbox.
 */
export class OrderService {
  constructor(
    private readonly db: Db<OrdersSchema>,
    private readonly rules: OrderRules,
  ) {}

  /**
   * Reserves the ticket for the buyer until the window closes, at the price orders' copy
   * has now: the order keeps that price whatever the listing says later.
   */
  async create(userId: string, ticketId: string): Promise<Order> {
    const ticket = await findTicket(this.db, ticketId);
    if (!ticket) throw new NotFoundError();
    if (ticket.userId === userId) throw new BadRequestError('You cannot buy your own ticket');
    if (ticket.withdrawn) throw new BadRequestError('Ticket is no longer for sale');
    if (ticket.eventAt !== null && ticket.eventAt.getTime() <= Date.now()) {
      throw new BadRequestError('This event has already started');
    }
    const { expirationWindowSeconds, maxOpenOrdersPerBuyer } = this.rules;
    const order: Order = {
      id: randomUUID(),
      userId,
      status: OrderStatus.Created,
      expiresAt: new Date(Date.now() + expirationWindowSeconds * 1000).toISOString(),
      version: 0,
      cancelledAt: null,
      ticket: { id: ticket.id, title: ticket.title, price: ticket.priceCents / 100 },
    };
    let placed: Record<string, unknown>[];
    try {
      placed = await this.db.transaction(async (tx) => {
        // One buyer's reservations take turns, so the count below sees every one committed
        // before it: concurrent requests cannot slip past the cap together.
        await tx.execute(sql`select pg_advisory_xact_lock(${BUYER_LOCK_KEY}, hashtext(${userId}))`);
        // The buyer's orders whose time is up end now, as their expiry will: they no longer
        // hold a ticket or count against the cap, even while expiration is behind.
        await this.cancelOverdue(tx, userId);
        // The order and its order:created in one statement, unless the buyer holds enough.
        return changeWithEvent(
          tx,
          sql`insert into ${orders} (id, user_id, ticket_id, status, expires_at, price_cents)
              select ${order.id}, ${userId}, ${ticket.id}, ${order.status}, ${order.expiresAt}::timestamptz,
                     ${ticket.priceCents}
              where (select count(*) from ${orders}
                     where user_id = ${userId} and status = 'created') < ${maxOpenOrdersPerBuyer}
              returning id`,
          Subjects.OrderCreated,
          {
            id: order.id,
            version: 0,
            status: OrderStatus.Created,
            userId,
            expiresAt: order.expiresAt,
            ticket: { id: ticket.id, price: order.ticket.price },
          },
        );
      });
    } catch (error) {
      // Another order holds the ticket: the partial unique index decided the race.
      if (isUniqueViolation(error))
        throw new BadRequestError('Ticket is already reserved', undefined, { cause: error });
      throw error;
    }
    if (placed.length === 0) {
      throw new BadRequestError(
        `You already hold ${maxOpenOrdersPerBuyer} orders awaiting payment: pay for or cancel one before reserving another ticket`,
      );
    }
    return order;
  }

  /** Cancels the buyer's `created` orders past their `expiresAt`, each with its order:cancelled. */
  private async cancelOverdue(tx: Db<OrdersSchema>, userId: string): Promise<void> {
    const overdue = await tx
      .select({ id: orders.id })
      .from(orders)
      .where(and(eq(orders.userId, userId), eq(orders.status, OrderStatus.Created), lte(orders.expiresAt, sql`now()`)));
    for (const { id } of overdue) await leaveCreated(tx, id, OrderStatus.Cancelled);
  }

  /** The user's orders, newest first. */
  async listFor(userId: string): Promise<Order[]> {
    const rows = await this.db
      .select({ order: orders, ticket: tickets })
      .from(orders)
      .innerJoin(tickets, eq(orders.ticketId, tickets.id))
      .where(eq(orders.userId, userId))
      .orderBy(descNullsLast(orders.createdAt), descNullsLast(orders.id));
    return rows.map(({ order, ticket }) => toOrder(order, ticket));
  }

  /** One of the user's orders: 404 when there is none, 401 when it is someone else's. */
  async findFor(userId: string, id: string): Promise<Order> {
    const [row] = UUID.test(id)
      ? await this.db
          .select({ order: orders, ticket: tickets })
          .from(orders)
          .innerJoin(tickets, eq(orders.ticketId, tickets.id))
          .where(eq(orders.id, id))
          .limit(1)
      : [];
    if (!row) throw new NotFoundError();
    if (row.order.userId !== userId) throw new NotAuthorizedError();
    return toOrder(row.order, row.ticket);
  }

  /** The buyer cancels: a paid order cannot be; a cancelled one stays as it is, with no new event. */
  async cancel(userId: string, id: string): Promise<void> {
    if (!UUID.test(id)) throw new NotFoundError();
    const eventIds = await this.db.transaction(async (tx) => {
      const [row] = await tx.select().from(orders).where(eq(orders.id, id)).for('update');
      if (!row) throw new NotFoundError();
      if (row.userId !== userId) throw new NotAuthorizedError();
      if (row.status === OrderStatus.Complete) throw new BadRequestError('Cannot cancel a paid order');
      if (row.status === OrderStatus.Created) return [(await leaveCreated(tx, id, OrderStatus.Cancelled))!.eventId];
      // Cancelled already, by a request a moment ago perhaps: its event may still be on its way.
      const queued = await tx
        .select({ id: outbox.id })
        .from(outbox)
        .where(and(eq(outbox.aggregate, id), isNull(outbox.publishedAt), isNull(outbox.failedAt)));
      return queued.map((event) => event.id);
    });
    // The cancellation is made whatever becomes of the wait.
    if (eventIds.length > 0) await this.rules.published?.(eventIds).catch(() => false);
  }

  /** The payment window closed: cancels the order unless it was paid or cancelled already. */
  expire(tx: Db<OrdersSchema>, id: string): Promise<Transition> {
    return leaveCreated(tx, id, OrderStatus.Cancelled);
  }

  /** The order was paid: completes it unless it was cancelled meanwhile (payments then refunds it). */
  complete(tx: Db<OrdersSchema>, id: string): Promise<Transition> {
    return leaveCreated(tx, id, OrderStatus.Complete);
  }
}
