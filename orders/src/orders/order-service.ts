import { randomUUID } from 'node:crypto';
import { isUniqueViolation, type Db } from '@ticketing/common/db';
import { OrderStatus } from '@ticketing/common/events';
import { BadRequestError, NotAuthorizedError, NotFoundError } from '@ticketing/common/http';
import { OrderRepository, type Transition } from '../db/order-repository';
import type { OrdersSchema } from '../db/schema';
import { TicketCopies } from '../db/ticket-copy';
import { toOrder, type Order } from './order-view';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
    const ticket = await new TicketCopies(this.db).find(ticketId);
    if (!ticket) throw new NotFoundError();
    if (ticket.userId === userId) throw new BadRequestError('You cannot buy your own ticket');
    if (ticket.withdrawn) throw new BadRequestError('Ticket is no longer for sale');
    if (ticket.eventAt !== null && ticket.eventAt.getTime() <= Date.now()) {
      throw new BadRequestError('This event has already started');
    }
    // Most attempts on a popular ticket find it taken: they are refused by one lookup, without
    // the buyer's lock and a failed insert. The unique index still decides every race.
    if (await new OrderRepository(this.db).heldAgainst(ticket.id, userId)) {
      throw new BadRequestError('Ticket is already reserved');
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
    let placed: boolean;
    try {
      placed = await this.db.transaction(async (tx) => {
        const repository = new OrderRepository(tx);
        // One buyer's reservations take turns, so the count below sees every one committed
        // before it: concurrent requests cannot slip past the cap together.
        await repository.lockBuyer(userId);
        // The buyer's orders whose time is up end now, as their expiry will: they no longer
        // hold a ticket or count against the cap, even while expiration is behind.
        for (const id of await repository.overdueIds(userId)) await repository.leaveCreated(id, OrderStatus.Cancelled);
        // The order and its order:created in one statement, unless the buyer holds enough.
        return repository.insertUnderCap(
          { id: order.id, userId, ticketId: ticket.id, expiresAt: order.expiresAt, priceCents: ticket.priceCents },
          maxOpenOrdersPerBuyer,
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
    if (!placed) {
      throw new BadRequestError(
        `You already hold ${maxOpenOrdersPerBuyer} orders awaiting payment: pay for or cancel one before reserving another ticket`,
      );
    }
    return order;
  }

  /** The user's orders, newest first. */
  async listFor(userId: string): Promise<Order[]> {
    const rows = await new OrderRepository(this.db).listWithTickets(userId);
    return rows.map(({ order, ticket }) => toOrder(order, ticket));
  }

  /** One of the user's orders: 404 when there is none, 401 when it is someone else's. */
  async findFor(userId: string, id: string): Promise<Order> {
    const row = UUID.test(id) ? await new OrderRepository(this.db).findWithTicket(id) : undefined;
    if (!row) throw new NotFoundError();
    if (row.order.userId !== userId) throw new NotAuthorizedError();
    return toOrder(row.order, row.ticket);
  }

  /** The buyer cancels: a paid order cannot be; a cancelled one stays as it is, with no new event. */
  async cancel(userId: string, id: string): Promise<void> {
    if (!UUID.test(id)) throw new NotFoundError();
    const eventIds = await this.db.transaction(async (tx) => {
      const repository = new OrderRepository(tx);
      const row = await repository.lock(id);
      if (!row) throw new NotFoundError();
      if (row.userId !== userId) throw new NotAuthorizedError();
      if (row.status === OrderStatus.Complete) throw new BadRequestError('Cannot cancel a paid order');
      if (row.status === OrderStatus.Created)
        return [(await repository.leaveCreated(id, OrderStatus.Cancelled))!.eventId];
      // Cancelled already, by a request a moment ago perhaps: its event may still be on its way.
      return repository.queuedEventIds(id);
    });
    // The cancellation is made whatever becomes of the wait.
    if (eventIds.length > 0) await this.rules.published?.(eventIds).catch(() => false);
  }

  /** The payment window closed: cancels the order unless it was paid or cancelled already. */
  expire(tx: Db<OrdersSchema>, id: string): Promise<Transition> {
    return new OrderRepository(tx).leaveCreated(id, OrderStatus.Cancelled);
  }

  /** The order was paid: completes it unless it was cancelled meanwhile (payments then refunds it). */
  complete(tx: Db<OrdersSchema>, id: string): Promise<Transition> {
    return new OrderRepository(tx).leaveCreated(id, OrderStatus.Complete);
  }
}
