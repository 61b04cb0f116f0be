import { Router } from 'express';
import { matchedData, query } from 'express-validator';
import { NotAuthorizedError, RequestValidationError, validateRequest } from '@ticketing/common/http';
import { SORTS, type Sort } from '../tickets/cursor';
import { HIDDEN_CHARACTERS } from '../tickets/listing-rules';
import { MAX_PRICE } from '../tickets/price';
import type { TicketSearch } from '../tickets/search';
import { InvalidCursorError, type TicketService } from '../tickets/ticket-service';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 100;
export const MAX_QUERY_LENGTH = 100;

/** A date (midnight UTC) or an instant with its offset, years 1–9999. */
const DATE_OR_INSTANT = /^(\d{4})-(\d\d)-(\d\d)(T\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:\d\d))?$/i;
const AMOUNT = /^\d{1,7}(\.\d{1,2})?$/;

/** A day (kept as its text) or an instant, or undefined for neither. */
function parseDateOrInstant(value: string): string | Date | undefined {
  const match = DATE_OR_INSTANT.exec(value);
  if (!match) return undefined;
  const [, year, month, day] = match.map(Number) as [number, number, number, number];
  const calendar = new Date(Date.UTC(2000, month - 1, day));
  if (year < 1 || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return undefined;
  if (!match[4]) return value;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/** Where a bound lies, to see that `to` comes after `from` (a day as its midnight UTC). */
const boundMs = (bound: string | Date) =>
  typeof bound === 'string' ? Date.parse(`${bound}T00:00:00Z`) : bound.getTime();

/** One value of a query name (a repeated name is an array, and refused), checked by `accept`. */
function single(name: string, message: string, accept: (value: string) => boolean) {
  return query(name)
    .optional()
    .custom((value: unknown) => typeof value === 'string' && accept(value))
    .withMessage(message);
}

const text =
  (max: number, min = 0) =>
  (value: string) =>
    value.length >= min && value.length <= max && !HIDDEN_CHARACTERS.test(value);

const cents = (value: string) => Math.round(Number(value) * 100);

/**
 * `GET /api/tickets`: the public list (no withdrawn ticket, no event that has started), or a
 * seller's own listings with `seller=me`, narrowed by words, city, dates, price and
 * availability, in the order `sort` asks, at most `limit` a page. When more exist the
 * `Link` header names the next page (`rel="next"`), which stays exact while tickets are
 * added (keyset pagination on the sort's key and the id).
 */
export function listTicketsRouter(service: TicketService): Router {
  const router = Router();
  router.get(
    '/api/tickets',
    single(
      'limit',
      `Limit must be a whole number from 1 to ${MAX_LIMIT}`,
      (value) => /^\d{1,3}$/.test(value) && +value >= 1 && +value <= MAX_LIMIT,
    ),
    single('cursor', 'Cursor is invalid', () => true),
    single(
      'q',
      `Search must be at most ${MAX_QUERY_LENGTH} characters, without control or invisible characters`,
      text(MAX_QUERY_LENGTH),
    ),
    single('city', 'City must be 1 to 80 characters, without control or invisible characters', text(80, 1)),
    // A date is the venue's calendar day; a date and time with its offset is that instant.
    single('from', 'From must be a date (2027-05-01) or a date and time with its offset', (value) =>
      Boolean(parseDateOrInstant(value)),
    ),
    single('to', 'To must be a date (2027-05-01) or a date and time with its offset', (value) =>
      Boolean(parseDateOrInstant(value)),
    ),
    single(
      'minPrice',
      `Min price must be an amount from 0 to ${MAX_PRICE} with at most two decimals`,
      (value) => AMOUNT.test(value) && Number(value) <= MAX_PRICE,
    ),
    single(
      'maxPrice',
      `Max price must be an amount from 0 to ${MAX_PRICE} with at most two decimals`,
      (value) => AMOUNT.test(value) && Number(value) <= MAX_PRICE,
    ),
    single('available', 'Available must be true or false', (value) => value === 'true' || value === 'false'),
    single('sort', `Sort must be one of ${SORTS.join(', ')}`, (value) => (SORTS as readonly string[]).includes(value)),
    single('seller', 'Seller must be me', (value) => value === 'me'),
    validateRequest,
    async (req, res) => {
      const asked = matchedData<Record<string, string | undefined>>(req, { locations: ['query'] });
      const limit = asked.limit === undefined ? DEFAULT_LIMIT : Number(asked.limit);
      const from = asked.from === undefined ? undefined : parseDateOrInstant(asked.from);
      const to = asked.to === undefined ? undefined : parseDateOrInstant(asked.to);
      if (from && to && boundMs(to) <= boundMs(from)) {
        throw new RequestValidationError([{ message: 'To must be after from', field: 'to' }]);
      }
      const minCents = asked.minPrice === undefined ? undefined : cents(asked.minPrice);
      const maxCents = asked.maxPrice === undefined ? undefined : cents(asked.maxPrice);
      if (minCents !== undefined && maxCents !== undefined && maxCents < minCents) {
        throw new RequestValidationError([{ message: 'Max price must be at least min price', field: 'maxPrice' }]);
      }
      if (asked.seller === 'me' && !req.currentUser) throw new NotAuthorizedError();
      const search: TicketSearch = {
        q: asked.q,
        city: asked.city,
        from,
        to,
        minCents,
        maxCents,
        available: asked.available === 'true',
        sort: (asked.sort as Sort | undefined) ?? 'newest',
        sellerId: asked.seller === 'me' ? req.currentUser!.id : undefined,
      };
      let page;
      try {
        page = await service.search(search, limit, asked.cursor);
      } catch (error) {
        if (error instanceof InvalidCursorError) {
          throw new RequestValidationError([{ message: error.message, field: 'cursor' }]);
        }
        throw error;
      }
      if (page.nextCursor) {
        // The next page asks what this one asked, from where it ended.
        const next = new URLSearchParams();
        for (const [name, value] of Object.entries(asked)) if (value !== undefined) next.set(name, value);
        next.set('limit', String(limit));
        next.set('cursor', page.nextCursor);
        res.set('Link', `</api/tickets?${next}>; rel="next"`);
      }
      res.send(page.tickets);
    },
  );
  return router;
}
