import { eq } from 'drizzle-orm';
import { versionedCopy, type Db } from '@ticketing/common/db';
import { tickets, type OrdersSchema } from './schema';

/** A ticket as orders knows it. */
export type TicketCopy = typeof tickets.$inferSelect;

/** What ticket:created and ticket:updated say about a ticket (price in dollars). */
export interface TicketFacts {
  id: string;
  version: number;
  title: string;
  price: number;
  userId: string;
  /** When the event starts; absent (an event stored before it) or null: to be announced. */
  eventAt?: string | null;
  /** True once its seller took the listing down; absent: not withdrawn. */
  withdrawn?: boolean;
}

const copy = versionedCopy({ table: tickets, id: tickets.id, version: tickets.version, entity: 'ticket' });

/** Orders' copy of the tickets, on the database or inside a transaction. */
export class TicketCopies {
  constructor(private readonly db: Db<OrdersSchema>) {}

  /** The ticket, or undefined when orders has not heard of it. */
  async find(id: string): Promise<TicketCopy | undefined> {
    const [row] = await this.db.select().from(tickets).where(eq(tickets.id, id)).limit(1);
    return row;
  }

  /**
   * Applies one version of a ticket, only on top of the previous one: an older or repeated
   * version does nothing, a newer one waits (see `versionedCopy`).
   */
  apply(ticket: TicketFacts): Promise<'applied' | 'stale'> {
    const values = {
      title: ticket.title,
      priceCents: Math.round(ticket.price * 100),
      userId: ticket.userId,
      version: ticket.version,
      eventAt: ticket.eventAt ? new Date(ticket.eventAt) : null,
      withdrawn: ticket.withdrawn ?? false,
    };
    return copy.apply(this.db, ticket, async () => {
      if (ticket.version === 0) await this.db.insert(tickets).values({ id: ticket.id, ...values });
      else await this.db.update(tickets).set(values).where(eq(tickets.id, ticket.id));
    });
  }
}
