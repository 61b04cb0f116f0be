import { randomUUID } from 'node:crypto';
import { enqueueEvent, type Db } from '@ticketing/common/db';
import { Subjects } from '@ticketing/common/events';
import { BadRequestError, NotAuthorizedError, NotFoundError } from '@ticketing/common/http';
import { TicketReads, TicketRepository, type TicketRow } from '../db/ticket-repository';
import type { TicketsSchema } from '../db/schema';
import { decodeCursor, encodeCursor, isUuid } from './cursor';
import { fromCents, toCents } from './price';

/** A ticket as the API shows it. */
export interface Ticket {
  id: string;
  title: string;
  price: number;
  userId: string;
  version: number;
  createdAt: string;
  /** The order holding the ticket, null while it is free. */
  orderId: string | null;
  /** True once the order holding it was paid. */
  sold: boolean;
}

/** One page of the newest-first list and, when more exist, the cursor of the next page. */
export interface TicketPage {
  tickets: Ticket[];
  nextCursor?: string;
}

/** Raised for a list cursor that this service did not make. */
export class InvalidCursorError extends Error {
  constructor() {
    super('Cursor is invalid');
    this.name = 'InvalidCursorError';
  }
}

function toTicket(row: TicketRow): Ticket {
  return {
    id: row.id,
    title: row.title,
    price: fromCents(row.priceCents),
    userId: row.userId,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    orderId: row.orderId,
    sold: row.sold,
  };
}

function eventData(ticket: Ticket) {
  return { id: ticket.id, version: ticket.version, title: ticket.title, price: ticket.price, userId: ticket.userId };
}

/** Records a change of the ticket (an edit, a reservation, a release, its sale) as `ticket:updated`. */
export function enqueueTicketUpdated(tx: Db<TicketsSchema>, ticket: Ticket): Promise<string> {
  return enqueueEvent(tx, Subjects.TicketUpdated, { ...eventData(ticket), orderId: ticket.orderId, sold: ticket.sold });
}

/**
 * Holds the ticket for an order (order:created), as the next version. Resolves false when
 * another order still holds it: that order's cancellation has not arrived yet.
 */
export async function reserveTicket(tx: Db<TicketsSchema>, ticketId: string, orderId: string): Promise<boolean> {
  const repository = new TicketRepository(tx);
  const current = await repository.findByIdForUpdate(ticketId);
  if (!current) throw new NotFoundError();
  if (current.orderId === orderId) return true;
  if (current.orderId !== null) return false;
  await enqueueTicketUpdated(tx, toTicket(await repository.setOrder(ticketId, orderId)));
  return true;
}

/** Frees the ticket when the cancelled order is the one holding it (order:cancelled), as the next version. */
export async function releaseTicket(tx: Db<TicketsSchema>, ticketId: string, orderId: string): Promise<void> {
  const repository = new TicketRepository(tx);
  const current = await repository.findByIdForUpdate(ticketId);
  if (current?.orderId !== orderId) return;
  await enqueueTicketUpdated(tx, toTicket(await repository.setOrder(ticketId, null)));
}

/**
 * Marks the ticket sold when the paid order is the one holding it (order:completed), as the
 * next version; a repeat changes nothing.
 */
export async function sellTicket(tx: Db<TicketsSchema>, ticketId: string, orderId: string): Promise<void> {
  const repository = new TicketRepository(tx);
  const current = await repository.findByIdForUpdate(ticketId);
  if (current?.orderId !== orderId || current.sold) return;
  await enqueueTicketUpdated(tx, toTicket(await repository.markSold(ticketId)));
}

/**
 * Creating, reading and updating tickets. Every change commits together with its event in
 * the outbox, which the relay publishes once the commit has happened.
 */
export class TicketService {
  private readonly tickets: TicketRepository;
  private readonly reads: TicketReads;

  constructor(private readonly db: Db<TicketsSchema>) {
    this.tickets = new TicketRepository(db);
    this.reads = new TicketReads(db);
  }

  /** Lists a ticket: the row and its ticket:created go in with one statement. */
  async create(userId: string, title: string, price: number): Promise<Ticket> {
    const ticket: Ticket = {
      id: randomUUID(),
      title,
      price,
      userId,
      version: 0,
      // Milliseconds, as the column keeps them: the list cursor compares exactly.
      createdAt: new Date().toISOString(),
      orderId: null,
      sold: false,
    };
    await this.tickets.insertWithEvent({ ...ticket, priceCents: toCents(price) }, eventData(ticket));
    return ticket;
  }

  async findById(id: string): Promise<Ticket> {
    const row = isUuid(id) ? await this.reads.findById(id) : undefined;
    if (!row) throw new NotFoundError();
    return toTicket(row);
  }

  /** Updates the owner's ticket with the next version; concurrent updates apply one after another. */
  async update(id: string, userId: string, title: string, price: number): Promise<Ticket> {
    if (!isUuid(id)) throw new NotFoundError();
    return this.db.transaction(async (tx) => {
      const repository = new TicketRepository(tx);
      const current = await repository.findByIdForUpdate(id);
      if (!current) throw new NotFoundError();
      if (current.userId !== userId) throw new NotAuthorizedError();
      if (current.orderId !== null) throw new BadRequestError('Cannot edit a reserved ticket');
      const updated = toTicket(await repository.update(id, { title, priceCents: toCents(price) }));
      await enqueueTicketUpdated(tx, updated);
      return updated;
    });
  }

  async listNewest(limit: number, cursorText?: string): Promise<TicketPage> {
    const cursor = cursorText === undefined ? undefined : decodeCursor(cursorText);
    if (cursorText !== undefined && !cursor) throw new InvalidCursorError();
    const rows = await this.reads.listNewest(limit + 1, cursor);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      tickets: page.map(toTicket),
      nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : undefined,
    };
  }
}
