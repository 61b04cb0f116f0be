import { eq, sql } from 'drizzle-orm';
import { changeWithEvent, descNullsLast, type Db } from '@ticketing/common/db';
import { Subjects, type EventData } from '@ticketing/common/events';
import type { ListCursor } from '../tickets/cursor';
import { tickets, type TicketsSchema } from './schema';

/** A stored ticket row. */
export type TicketRow = typeof tickets.$inferSelect;

/**
 * The reads that serve `GET /api/tickets` and `GET /api/tickets/:id`, built and named once
 * (a PostgreSQL server also plans them once per connection). On the database, not in a
 * transaction: a prepared query belongs to the session it was made on.
 */
export class TicketReads {
  private readonly byId;
  private readonly newest;
  private readonly newestAfter;

  constructor(db: Db<TicketsSchema>) {
    this.byId = db
      .select()
      .from(tickets)
      .where(eq(tickets.id, sql.placeholder('id')))
      .limit(1)
      .prepare('ticket_by_id');
    const newest = (after?: ReturnType<typeof sql>) =>
      db
        .select()
        .from(tickets)
        .where(after)
        .orderBy(descNullsLast(tickets.createdAt), descNullsLast(tickets.id))
        .limit(sql.placeholder('limit'));
    this.newest = newest().prepare('tickets_newest');
    this.newestAfter = newest(
      sql`(${tickets.createdAt}, ${tickets.id}) < (${sql.placeholder('createdAt')}::timestamptz, ${sql.placeholder('id')}::uuid)`,
    ).prepare('tickets_newest_after');
  }

  async findById(id: string): Promise<TicketRow | undefined> {
    const [row] = await this.byId.execute({ id });
    return row;
  }

  /** The SQL of the first page and of a later page, e.g. to check their plans. */
  listQueries(): { text: string; placeholders: string[] }[] {
    return [this.newest, this.newestAfter].map((prepared) => {
      const query = prepared.getQuery();
      return { text: query.sql, placeholders: query.params.map((param) => (param as { name: string }).name) };
    });
  }

  /** Newest first, strictly after `cursor` when given; `limit` rows at most. */
  listNewest(limit: number, cursor?: ListCursor): Promise<TicketRow[]> {
    return cursor
      ? this.newestAfter.execute({ limit, createdAt: cursor.createdAt.toISOString(), id: cursor.id })
      : this.newest.execute({ limit });
  }
}

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
}
