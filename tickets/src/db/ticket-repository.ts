import { and, eq, sql, type Placeholder, type SQL } from 'drizzle-orm';
import { changeWithEvent, descNullsLast, type Db } from '@ticketing/common/db';
import { Subjects, type EventData } from '@ticketing/common/events';
import type { ListCursor, Sort } from '../tickets/cursor';
import { prefixQuery, type TicketSearch } from '../tickets/search';
import { searchKeys, ticketColumns, tickets, type TicketsSchema } from './schema';

/** A stored ticket row, as reads return it (without its search document). */
export type TicketRow = Omit<typeof tickets.$inferSelect, 'searchVector'>;

/** What a listing says of its event; `eventAt` an ISO 8601 instant, null while to be announced. */
export interface EventDetails {
  eventAt: string | null;
  timeZone: string;
  venue: string | null;
  city: string | null;
  seat: string | null;
}

/**
 * The reads that serve `GET /api/tickets` and `GET /api/tickets/:id`. The lookup by id is
 * built and named once (a PostgreSQL server also plans it once per connection). A search
 * is built once per shape (which conditions it has, under which sort) with its values as
 * parameters, and kept: building it each time cost more than the database's part of a
 * search. It stays unnamed, so the server plans each search with its values (a named
 * statement may settle on a generic plan, blind to how rare a word or a city is). On the
 * database, not in a transaction: a prepared query belongs to the session it was made on.
 */
export class TicketReads {
  private readonly byId;
  /** One per shape asked for: a few thousand shapes exist, a few dozen are in use. */
  private readonly searches = new Map<string, SearchStatement>();

  constructor(private readonly db: Db<TicketsSchema>) {
    this.byId = db
      .select(ticketColumns)
      .from(tickets)
      .where(eq(tickets.id, sql.placeholder('id')))
      .limit(1)
      .prepare('ticket_by_id');
  }

  async findById(id: string): Promise<TicketRow | undefined> {
    const [row] = await this.byId.execute({ id });
    return row;
  }

  /**
   * A search's statement and its values: in its sort's order (ties by id), strictly after
   * `cursor` when given, `limit` rows at most. `now` decides which events have started.
   */
  searchQuery(search: TicketSearch, limit: number, cursor: ListCursor | undefined, now: Date) {
    const values = searchValues(search, limit, cursor, now);
    const shape = shapeOf(search, values, cursor);
    let statement = this.searches.get(shape);
    if (!statement) {
      statement = this.buildSearch(search, values, cursor);
      this.searches.set(shape, statement);
    }
    return { statement, values };
  }

  /** The tickets a search finds, a page at a time. */
  search(search: TicketSearch, limit: number, cursor: ListCursor | undefined, now: Date): Promise<TicketRow[]> {
    const { statement, values } = this.searchQuery(search, limit, cursor, now);
    return statement.prepared.execute(values);
  }

  private buildSearch(search: TicketSearch, values: SearchValues, cursor: ListCursor | undefined): SearchStatement {
    const p = (name: string & keyof SearchValues) => sql.placeholder(name);
    const conditions: (SQL | undefined)[] = [];
    const upcoming = sql`(${tickets.eventAt} is null or ${tickets.eventAt} > ${p('now')}::timestamptz)`;
    if (search.sellerId === undefined) conditions.push(sql`not ${tickets.withdrawn}`, upcoming);
    else conditions.push(eq(tickets.userId, p('sellerId')));
    if (search.available) {
      conditions.push(sql`${tickets.orderId} is null and not ${tickets.sold} and not ${tickets.withdrawn}`, upcoming);
    }
    if (values.words !== undefined)
      conditions.push(sql`${tickets.searchVector} @@ to_tsquery('simple', ${p('words')})`);
    if (values.city !== undefined) conditions.push(eq(tickets.cityKey, p('city')));
    // A day is the venue's calendar day; an instant is an instant.
    if (typeof search.from === 'string') conditions.push(sql`${tickets.eventDay} >= ${p('from')}::date`);
    else if (search.from) conditions.push(sql`${tickets.eventAt} >= ${p('from')}::timestamptz`);
    if (typeof search.to === 'string') conditions.push(sql`${tickets.eventDay} < ${p('to')}::date`);
    else if (search.to) conditions.push(sql`${tickets.eventAt} < ${p('to')}::timestamptz`);
    if (values.minCents !== undefined) conditions.push(sql`${tickets.priceCents} >= ${p('minCents')}`);
    if (values.maxCents !== undefined) conditions.push(sql`${tickets.priceCents} <= ${p('maxCents')}`);
    if (cursor) conditions.push(after(cursor.sort, cursor.key === null, p('key'), p('id')));
    const query = this.db
      .select(ticketColumns)
      .from(tickets)
      .where(and(...conditions))
      .orderBy(...ORDERS[search.sort])
      .limit(p('limit'));
    return { prepared: query.prepare(UNNAMED), toSQL: () => query.toSQL() };
  }
}

/** Drizzle names a statement only when given a name. */
const UNNAMED = undefined as unknown as string;

/** A search's statement, and its text and parameters for EXPLAIN. */
interface SearchStatement {
  prepared: { execute(values: SearchValues): Promise<TicketRow[]> };
  toSQL(): { sql: string; params: unknown[] };
}

/** The values a search's statement takes; what is undefined is not in the statement. */
interface SearchValues extends Record<string, unknown> {
  now: string;
  limit: number;
  sellerId?: string;
  words?: string;
  city?: string;
  from?: string;
  to?: string;
  minCents?: number;
  maxCents?: number;
  key?: string | number | null;
  id?: string;
}

function searchValues(search: TicketSearch, limit: number, cursor: ListCursor | undefined, now: Date): SearchValues {
  const instant = (bound: Date | string | undefined) => (bound instanceof Date ? bound.toISOString() : bound);
  return {
    now: now.toISOString(),
    limit,
    sellerId: search.sellerId,
    words: search.q === undefined ? undefined : prefixQuery(search.q),
    city: search.city?.toLowerCase(),
    from: instant(search.from),
    to: instant(search.to),
    minCents: search.minCents,
    maxCents: search.maxCents,
    key: cursor?.key,
    id: cursor?.id,
  };
}

/** Which conditions a search has and how each is written, not their values. */
function shapeOf(search: TicketSearch, values: SearchValues, cursor: ListCursor | undefined): string {
  const bound = (value: Date | string | undefined) =>
    value === undefined ? '-' : typeof value === 'string' ? 'd' : 'i';
  const has = (value: unknown) => (value === undefined ? '-' : '+');
  return [
    search.sort,
    search.sellerId === undefined ? 'public' : 'seller',
    search.available ? 'available' : '-',
    has(values.words),
    has(values.city),
    bound(search.from),
    bound(search.to),
    has(values.minCents),
    has(values.maxCents),
    cursor === undefined ? '-' : cursor.key === null ? 'after-undated' : 'after',
  ].join(' ');
}

/** Each sort's order, as its index is declared (see schema.ts), so no page sorts the table. */
const ORDERS: Record<Sort, SQL[]> = {
  newest: [descNullsLast(tickets.createdAt), descNullsLast(tickets.id)],
  soonest: [sql`${tickets.eventAt} asc nulls last`, sql`${tickets.id} asc`],
  price: [sql`${tickets.priceCents} asc`, sql`${tickets.id} asc`],
  '-price': [sql`${tickets.priceCents} desc`, sql`${tickets.id} desc`],
};

/** The rows strictly after a cursor's position (its sort key and id) in its sort's order. */
function after(sort: Sort, undated: boolean, key: Placeholder, id: Placeholder): SQL {
  switch (sort) {
    case 'newest':
      return sql`(${tickets.createdAt}, ${tickets.id}) < (${key}::timestamptz, ${id}::uuid)`;
    case 'soonest':
      // Undated tickets come last: after a dated one come later dates, then every undated one.
      return undated
        ? sql`(${tickets.eventAt} is null and ${tickets.id} > ${id}::uuid)`
        : sql`((${tickets.eventAt}, ${tickets.id}) > (${key}::timestamptz, ${id}::uuid) or ${tickets.eventAt} is null)`;
    case 'price':
      return sql`(${tickets.priceCents}, ${tickets.id}) > (${key}::integer, ${id}::uuid)`;
    case '-price':
      return sql`(${tickets.priceCents}, ${tickets.id}) < (${key}::integer, ${id}::uuid)`;
  }
}

/** Reads and writes ticket rows; works on the database or inside a transaction. */
export class TicketRepository {
  constructor(private readonly db: Db<TicketsSchema>) {}

  /** Inserts a new ticket and queues its ticket:created, in one statement. */
  async insertWithEvent(
    values: {
      id: string;
      title: string;
      priceCents: number;
      userId: string;
      createdAt: string;
    } & EventDetails,
    event: EventData<Subjects.TicketCreated>,
  ): Promise<void> {
    const keys = searchKeys(values);
    await changeWithEvent(
      this.db,
      sql`insert into ${tickets} (id, title, price_cents, user_id, created_at, event_at, time_zone, venue, city, seat,
                                  search_text, city_key, event_day)
          values (${values.id}, ${values.title}, ${values.priceCents}, ${values.userId}, ${values.createdAt}::timestamptz,
                  ${values.eventAt}::timestamptz, ${values.timeZone}, ${values.venue}, ${values.city}, ${values.seat},
                  ${keys.searchText}, ${keys.cityKey}, ${keys.eventDay}::date)
          returning id`,
      Subjects.TicketCreated,
      event,
    );
  }

  /** Reads the row and locks it until the transaction ends, so concurrent updates queue up. */
  async findByIdForUpdate(id: string): Promise<TicketRow | undefined> {
    const [row] = await this.db.select(ticketColumns).from(tickets).where(eq(tickets.id, id)).limit(1).for('update');
    return row;
  }

  /** Applies new values and the next version; returns the updated row. */
  async update(
    id: string,
    values: { title: string; priceCents: number } & Omit<EventDetails, 'eventAt'> & { eventAt: Date | null },
  ): Promise<TicketRow> {
    const [row] = await this.db
      .update(tickets)
      .set({ ...values, ...searchKeys(values), version: sql`${tickets.version} + 1` })
      .where(eq(tickets.id, id))
      .returning(ticketColumns);
    return row!;
  }

  /** Sets (or clears, with null) the order holding the ticket, as the next version. */
  async setOrder(id: string, orderId: string | null): Promise<TicketRow> {
    const [row] = await this.db
      .update(tickets)
      .set({ orderId, version: sql`${tickets.version} + 1` })
      .where(eq(tickets.id, id))
      .returning(ticketColumns);
    return row!;
  }

  /** Takes the listing down, as the next version. */
  async withdraw(id: string): Promise<TicketRow> {
    const [row] = await this.db
      .update(tickets)
      .set({ withdrawn: true, version: sql`${tickets.version} + 1` })
      .where(eq(tickets.id, id))
      .returning(ticketColumns);
    return row!;
  }

  /** Marks the ticket sold, as the next version. */
  async markSold(id: string): Promise<TicketRow> {
    const [row] = await this.db
      .update(tickets)
      .set({ sold: true, version: sql`${tickets.version} + 1` })
      .where(eq(tickets.id, id))
      .returning(ticketColumns);
    return row!;
  }
}
