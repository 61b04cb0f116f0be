import type { Sort } from './cursor';

/** What a buyer (or a seller, for their own listings) asks `GET /api/tickets` for. */
export interface TicketSearch {
  /** Words, each a prefix of a word in the title, venue or city. */
  q?: string;
  /** That city only, case-insensitively. */
  city?: string;
  /** Events starting at or after this instant, or on or after this day (`YYYY-MM-DD`) at their venue. */
  from?: Date | string;
  /** Events starting before this instant, or before this day (`YYYY-MM-DD`) at their venue. */
  to?: Date | string;
  minCents?: number;
  maxCents?: number;
  /** Only tickets a buyer can order now. */
  available?: boolean;
  sort: Sort;
  /**
   * The seller whose listings these are, in every status and past events included;
   * undefined for the public list (no withdrawn tickets, no event that has started).
   */
  sellerId?: string;
}

/** A word of a search: letters or digits somewhere in it (punctuation alone finds nothing). */
const WORDLIKE = /[\p{L}\p{N}]/u;

/**
 * `q` as text for PostgreSQL's `to_tsquery('simple', …)`: each whitespace-separated word,
 * lowercased as the titles were (see `searchKeys`),
 * quoted (nothing in it is query syntax) and matched as a prefix, all of them required.
 * PostgreSQL then splits a quoted word as it split the titles ("jay-z" is "jay-z", "jay"
 * and "z"). Undefined when no word is left: the search does not narrow.
 */
export function prefixQuery(q: string): string | undefined {
  const words = q
    .toLowerCase()
    .split(/\s+/u)
    .filter((word) => WORDLIKE.test(word));
  if (words.length === 0) return undefined;
  return words.map((word) => `'${word.replace(/\\/g, '\\\\').replace(/'/g, "''")}':*`).join(' & ');
}
