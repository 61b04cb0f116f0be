import { and, desc, eq, sql } from 'drizzle-orm';
import { changeWithEvent, type Db } from '@ticketing/common/db';
import { Subjects, type EventData } from '@ticketing/common/events';
import type { ListCursor } from '../tickets/cursor';
import { tickets, type TicketsSchema } from './schema';

/** A stored ticket row. */
export type TicketRow = typeof tickets.$inferSelect;

/** Reads and writes ticket rows; works on the database or inside a transaction. */
export class TicketRepository {
  constructor(private readonly db: Db<TicketsSchema>) {}

  /** Inserts a new ticket and queues its ticket:created, in one statement. */
  async insertWithEvent(
    values: { id: string; title: string; priceCents: number; userId: string; createdAt: string },
    event: EventData<Subjects.TicketCreated>,
  ): Promise<void> {
    await changeWithEvent(
      this.db,
      sql`insert into ${tickets} (id, title, price_cents, user_id, created_at)
          values (${values.id}, ${values.title}, ${values.priceCents}, ${values.userId}, ${values.createdAt}::timestamptz)
          returning id`,
      Subjects.TicketCreated,
      event,
    );
  }

  async findById(id: string): Promise<TicketRow | undefined> {
    const [row] = await this.db.select().from(tickets).where(eq(tickets.id, id)).limit(1);
    return row;
  }

  /** Reads the row and locks it until the transaction ends, so concurrent updates queue up. */
  async findByIdForUpdate(id: string): Promise<TicketRow | undefined> {
    const [row] = await this.db.select().from(tickets).where(eq(tickets.id, id)).limit(1).for('update');
    return row;
  }

  /** Applies new values and the next version; returns the updated row. */
  async update(id: string, values: { title: string; priceCents: number }): Promise<TicketRow> {
    const [row] = await this.db
      .update(tickets)
      .set({ ...values, version: sql`${tickets.version} + 1` })
      .where(eq(tickets.id, id))
      .returning();
    return row!;
  }

  /** Sets (or clears, with null) the order holding the ticket, as the next version. */
  async setOrder(id: string, orderId: string | null): Promise<TicketRow> {
    const [row] = await this.db
      .update(tickets)
      .set({ orderId, version: sql`${tickets.version} + 1` })
      .where(eq(tickets.id, id))
      .returning();
    return row!;
  }

  /** Marks the ticket sold, as the next version. */
  async markSold(id: string): Promise<TicketRow> {
    const [row] = await this.db
      .update(tickets)
      .set({ sold: true, version: sql`${tickets.version} + 1` })
      .where(eq(tickets.id, id))
      .returning();
    return row!;
  }

  /** Newest first, strictly after `cursor` when given; `limit` rows at most. */
  async listNewest(limit: number, cursor?: ListCursor): Promise<TicketRow[]> {
    const after = cursor
      ? sql`(${tickets.createdAt}, ${tickets.id}) < (${cursor.createdAt.toISOString()}::timestamptz, ${cursor.id}::uuid)`
      : undefined;
    return this.db
      .select()
      .from(tickets)
      .where(and(after))
      .orderBy(desc(tickets.createdAt), desc(tickets.id))
      .limit(limit);
  }
}
