import { and, eq, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { changeWithEvent, descNullsLast, enqueueEvent, isUniqueViolation, type Db } from '@ticketing/common/db';
import { OrderStatus, Subjects } from '@ticketing/common/events';
import { BadRequestError, NotAuthorizedError, NotFoundError } from '@ticketing/common/http';
import { orders, tickets, type OrdersSchema } from '../db/schema';
import { findTicket } from '../db/ticket-copy';
import { toOrder, type Order } from './order-view';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a change of status did: the order's new version, or nothing (it was not `created` any more). */
type Transition = { id: string; version: number; ticketId: string } | undefined;

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
    .set({ status: to, version: sql`${orders.version} + 1` })
    .where(and(eq(orders.id, id), eq(orders.status, OrderStatus.Created)))
    .returning({ id: orders.id, version: orders.version, ticketId: orders.ticketId });
  if (!row) return undefined;
  const data = { id: row.id, version: row.version, ticket: { id: row.ticketId } };
  if (to === OrderStatus.Cancelled) await enqueueEvent(tx, Subjects.OrderCancelled, data);
  else await enqueueEvent(tx, Subjects.OrderCompleted, data);
  return row;
}

/**
 * Placing, reading and cancelling orders, and the status changes events bring. Every
 * change commits with its event in the outbox.
 */
export class OrderService {
  constructor(
    private readonly db: Db<OrdersSchema>,
    private readonly expirationWindowSeconds: number,
  ) {}

  /** Reserves the ticket for the buyer until the window closes. */
  async create(userId: string, ticketId: string): Promise<Order> {
    const ticket = await findTicket(this.db, ticketId);
    if (!ticket) throw new NotFoundError();
    if (ticket.userId === userId) throw new BadRequestError('You cannot buy your own ticket');
    const order: Order = {
      id: randomUUID(),
      userId,
      status: OrderStatus.Created,
      expiresAt: new Date(Date.now() + this.expirationWindowSeconds * 1000).toISOString(),
      version: 0,
      ticket: { id: ticket.id, title: ticket.title, price: ticket.priceCents / 100 },
    };
    try {
      // The order and its order:created in one statement.
      await changeWithEvent(
        this.db,
        sql`insert into ${orders} (id, user_id, ticket_id, status, expires_at)
            values (${order.id}, ${userId}, ${ticket.id}, ${order.status}, ${order.expiresAt}::timestamptz)
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
      return order;
    } catch (error) {
      // Another order holds the ticket: the partial unique index decided the race.
      if (isUniqueViolation(error))
        throw new BadRequestError('Ticket is already reserved', undefined, { cause: error });
      throw error;
    }
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
    await this.db.transaction(async (tx) => {
      const [row] = await tx.select().from(orders).where(eq(orders.id, id)).for('update');
      if (!row) throw new NotFoundError();
      if (row.userId !== userId) throw new NotAuthorizedError();
      if (row.status === OrderStatus.Complete) throw new BadRequestError('Cannot cancel a paid order');
      if (row.status === OrderStatus.Cancelled) return;
      await leaveCreated(tx, id, OrderStatus.Cancelled);
    });
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
