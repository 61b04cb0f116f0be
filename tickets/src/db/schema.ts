import { getTableColumns, sql } from 'drizzle-orm';
import { boolean, customType, date, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { inbox, outbox } from '@ticketing/common/db';

/** PostgreSQL's parsed document for full-text search. */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/**
 * What searches compare, kept with every change of a listing: title, venue and city as a
 * search reads them, the city as a filter compares it, and the calendar day the event
 * starts on at its venue (a search by date means the venue's day: 8 PM in Boston on May 8
 * is May 9 in UTC).
 */
export function searchKeys(fields: {
  title: string;
  venue: string | null;
  city: string | null;
  eventAt: Date | string | null;
  timeZone: string;
}) {
  return {
    searchText: [fields.title, fields.venue ?? '', fields.city ?? ''].join(' ').toLowerCase(),
    cityKey: fields.city?.toLowerCase() ?? null,
    eventDay: fields.eventAt === null ? null : dayAt(new Date(fields.eventAt), fields.timeZone),
  };
}

/** The calendar day (YYYY-MM-DD) an instant falls on in an IANA zone. */
export function dayAt(instant: Date, timeZone: string): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    instant,
  );
}

/**
 * Tickets for sale. Money is integer cents (exact); `created_at` and `event_at` keep
 * milliseconds only, so the list cursor (which carries them) compares exactly. `order_id`
 * names the order that holds the ticket, null while it is free; `sold` is set once that
 * order is paid (for good: a paid order is never cancelled); `withdrawn` once its seller
 * took it down. `event_at` is when the event starts (null: to be announced), `time_zone`
 * the venue's IANA zone its time is shown in.
 */
export const tickets = pgTable(
  'tickets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: text('title').notNull(),
    priceCents: integer('price_cents').notNull(),
    userId: text('user_id').notNull(),
    version: integer('version').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    orderId: uuid('order_id'),
    sold: boolean('sold').notNull().default(false),
    eventAt: timestamp('event_at', { withTimezone: true, precision: 3 }),
    timeZone: text('time_zone').notNull().default('UTC'),
    venue: text('venue'),
    city: text('city'),
    seat: text('seat'),
    withdrawn: boolean('withdrawn').notNull().default(false),
    /** See `searchKeys`: kept with every change of title, venue or city. */
    searchText: text('search_text').notNull().default(''),
    cityKey: text('city_key'),
    eventDay: date('event_day', { mode: 'string' }),
    /**
     * The words a search matches: `search_text` split by PostgreSQL's `simple` configuration
     * (no stemming, no stop words: "the" and "Boston" are both found), kept by the database
     * so a search reads it instead of parsing each row it looks at.
     */
    searchVector: tsvector('search_vector').generatedAlwaysAs(sql`to_tsvector('simple', search_text)`),
  },
  (table) => [
    index('tickets_newest_idx').on(table.createdAt.desc(), table.id.desc()),
    // `soonest`: event start, undated last; ties by id.
    index('tickets_soonest_idx').on(table.eventAt.asc().nullsLast(), table.id.asc()),
    // `price` reads it forwards, `-price` backwards.
    index('tickets_price_idx').on(table.priceCents, table.id),
    index('tickets_city_idx').on(table.cityKey),
    index('tickets_event_day_idx').on(table.eventDay),
    index('tickets_search_idx').using('gin', table.searchVector),
    index('tickets_seller_idx').on(table.userId, table.createdAt.desc(), table.id.desc()),
  ],
);

/** Every column a read returns: the search document stays in the database. */
export const { searchVector: _searchVector, ...ticketColumns } = getTableColumns(tickets);

/**
 * The last version of each order tickets has applied: order events arrive on separate
 * subjects, so a cancellation can come before its order's creation and must wait for it.
 */
export const orderVersions = pgTable('order_versions', {
  id: uuid('id').primaryKey(),
  version: integer('version').notNull(),
});

export { inbox, outbox };
export const schema = { tickets, orderVersions, inbox, outbox };
export type TicketsSchema = typeof schema;
