import { randomUUID } from 'node:crypto';
import { enqueueEvent, type Db } from '@ticketing/common/db';
import { Subjects } from '@ticketing/common/events';
import { BadRequestError, NotAuthorizedError, NotFoundError } from '@ticketing/common/http';
import { TicketReads, TicketRepository, type TicketRow } from '../db/ticket-repository';
import type { TicketsSchema } from '../db/schema';
import { decodeCursor, encodeCursor, isUuid, type ListCursor, type Sort } from './cursor';
import type { TicketSearch } from './search';
import { fromCents, toCents } from './price';

/** Where a listing stands for a buyer. */
export type TicketStatus = 'available' | 'reserved' | 'sold' | 'withdrawn';

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
  /** When the event starts (ISO 8601, UTC); null while it is to be announced. */
  eventAt: string | null;
  /** The venue's IANA time zone, which the event's time is shown in. */
  timeZone: string;
  venue: string | null;
  city: string | null;
  seat: string | null;
  status: TicketStatus;
}

/** What a seller says of a listing; on an edit, what is left out keeps its value. */
export interface ListingFields {
  title: string;
  price: number;
  eventAt?: Date | null;
  timeZone?: string;
  venue?: string | null;
  city?: string | null;
  seat?: string | null;
}

/** One page of a list and, when more exist, the cursor of the next page. */
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

function statusOf(row: Pick<TicketRow, 'sold' | 'orderId' | 'withdrawn'>): TicketStatus {
  // A reservation that raced the withdrawal (placed before orders heard of it) is honoured.
  if (row.sold) return 'sold';
  if (row.orderId !== null) return 'reserved';
  return row.withdrawn ? 'withdrawn' : 'available';
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
    eventAt: row.eventAt?.toISOString() ?? null,
    timeZone: row.timeZone,
    venue: row.venue,
    city: row.city,
    seat: row.seat,
    status: statusOf(row),
  };
}

function eventData(ticket: Ticket) {
  const { id, version, title, price, userId, eventAt, timeZone, venue, city, seat } = ticket;
  return { id, version, title, price, userId, eventAt, timeZone, venue, city, seat };
}

/** Records a change of the ticket (an edit, a reservation, a release, its sale, its withdrawal) as `ticket:updated`. */
export function enqueueTicketUpdated(tx: Db<TicketsSchema>, row: TicketRow): Promise<string> {
  const ticket = toTicket(row);
  return enqueueEvent(tx, Subjects.TicketUpdated, {
    ...eventData(ticket),
    orderId: ticket.orderId,
    sold: ticket.sold,
    withdrawn: row.withdrawn,
  });
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
  await enqueueTicketUpdated(tx, await repository.setOrder(ticketId, orderId));
  return true;
}

/** Frees the ticket when the cancelled order is the one holding it (order:cancelled), as the next version. */
export async function releaseTicket(tx: Db<TicketsSchema>, ticketId: string, orderId: string): Promise<void> {
  const repository = new TicketRepository(tx);
  const current = await repository.findByIdForUpdate(ticketId);
  if (current?.orderId !== orderId) return;
  await enqueueTicketUpdated(tx, await repository.setOrder(ticketId, null));
}

/**
 * Marks the ticket sold when the paid order is the one holding it (order:completed), as the
 * next version; a repeat changes nothing.
 */
export async function sellTicket(tx: Db<TicketsSchema>, ticketId: string, orderId: string): Promise<void> {
  const repository = new TicketRepository(tx);
  const current = await repository.findByIdForUpdate(ticketId);
  if (current?.orderId !== orderId || current.sold) return;
  await enqueueTicketUpdated(tx, await repository.markSold(ticketId));
}

/**
 * Listing, finding, editing and withdrawing tickets. Every change commits together with its
 * event in the outbox, which the relay publishes once the commit has happened.
 */
export class TicketService {
  private readonly tickets: TicketRepository;
  private readonly reads: TicketReads;

  constructor(
    private readonly db: Db<TicketsSchema>,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.tickets = new TicketRepository(db);
    this.reads = new TicketReads(db);
  }

  /** Lists a ticket: the row and its ticket:created go in with one statement. */
  async create(userId: string, fields: ListingFields): Promise<Ticket> {
    const ticket: Ticket = {
      id: randomUUID(),
      title: fields.title,
      price: fields.price,
      userId,
      version: 0,
      // Milliseconds, as the column keeps them: the list cursor compares exactly.
      createdAt: this.now().toISOString(),
      orderId: null,
      sold: false,
      eventAt: fields.eventAt?.toISOString() ?? null,
      timeZone: fields.timeZone ?? 'UTC',
      venue: fields.venue ?? null,
      city: fields.city ?? null,
      seat: fields.seat ?? null,
      status: 'available',
    };
    await this.tickets.insertWithEvent({ ...ticket, priceCents: toCents(ticket.price) }, eventData(ticket));
    return ticket;
  }

  async findById(id: string): Promise<Ticket> {
    const row = isUuid(id) ? await this.reads.findById(id) : undefined;
    if (!row) throw new NotFoundError();
    return toTicket(row);
  }

  /** Updates the owner's ticket with the next version; concurrent updates apply one after another. */
  async update(id: string, userId: string, fields: ListingFields): Promise<Ticket> {
    if (!isUuid(id)) throw new NotFoundError();
    return this.db.transaction(async (tx) => {
      const repository = new TicketRepository(tx);
      const current = await repository.findByIdForUpdate(id);
      if (!current) throw new NotFoundError();
      if (current.userId !== userId) throw new NotAuthorizedError();
      if (current.orderId !== null) throw new BadRequestError('Cannot edit a reserved ticket');
      if (current.withdrawn) throw new BadRequestError('Cannot edit a withdrawn ticket');
      const updated = await repository.update(id, {
        title: fields.title,
        priceCents: toCents(fields.price),
        eventAt: fields.eventAt === undefined ? current.eventAt : fields.eventAt,
        timeZone: fields.timeZone ?? current.timeZone,
        venue: fields.venue === undefined ? current.venue : fields.venue,
        city: fields.city === undefined ? current.city : fields.city,
        seat: fields.seat === undefined ? current.seat : fields.seat,
      });
      await enqueueTicketUpdated(tx, updated);
      return toTicket(updated);
    });
  }

  /**
   * The owner takes a free listing down, as the next version with its ticket:updated. A
   * listing already withdrawn stays as it is, with no new event.
   */
  async withdraw(id: string, userId: string): Promise<void> {
    if (!isUuid(id)) throw new NotFoundError();
    await this.db.transaction(async (tx) => {
      const repository = new TicketRepository(tx);
      const current = await repository.findByIdForUpdate(id);
      if (!current) throw new NotFoundError();
      if (current.userId !== userId) throw new NotAuthorizedError();
      if (current.sold) throw new BadRequestError('Cannot withdraw a sold ticket');
      if (current.orderId !== null) throw new BadRequestError('Cannot withdraw a reserved ticket');
      if (current.withdrawn) return;
      await enqueueTicketUpdated(tx, await repository.withdraw(id));
    });
  }

  /** A page of the tickets `search` finds, in its sort's order, after `cursorText` when given. */
  async search(search: TicketSearch, limit: number, cursorText?: string): Promise<TicketPage> {
    const cursor = cursorText === undefined ? undefined : decodeCursor(cursorText, search.sort);
    if (cursorText !== undefined && !cursor) throw new InvalidCursorError();
    const rows = await this.reads.search(search, limit + 1, cursor, this.now());
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      tickets: page.map(toTicket),
      nextCursor: rows.length > limit && last ? encodeCursor(cursorAt(search.sort, last)) : undefined,
    };
  }
}

/** The cursor just past `row` under `sort`. */
function cursorAt(sort: Sort, row: TicketRow): ListCursor {
  switch (sort) {
    case 'newest':
      return { sort, key: row.createdAt.toISOString(), id: row.id };
    case 'soonest':
      return { sort, key: row.eventAt?.toISOString() ?? null, id: row.id };
    case 'price':
    case '-price':
      return { sort, key: row.priceCents, id: row.id };
  }
}
