/** What the home page's search form asks, as its URL keeps it (`/?q=jazz&city=Boston&to=2027-05-03`). */
export interface TicketSearch {
  q: string;
  city: string;
  /** First day, `YYYY-MM-DD` (UTC). */
  from: string;
  /** Last day, `YYYY-MM-DD` (UTC), included. */
  to: string;
  minPrice: string;
  maxPrice: string;
  available: boolean;
  sort: string;
}

export const SORT_LABELS: Record<string, string> = {
  newest: 'Newest listings',
  soonest: 'Soonest events',
  price: 'Price: low to high',
  '-price': 'Price: high to low',
};

const DAY = /^\d{4}-\d\d-\d\d$/;

/** One value of a URL parameter: the first when repeated, trimmed. */
function one(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
}

/** The search a page's URL asks for (unknown names ignored). */
export function searchFrom(params: Record<string, string | string[] | undefined>): TicketSearch {
  return {
    q: one(params.q),
    city: one(params.city),
    from: one(params.from),
    to: one(params.to),
    minPrice: one(params.minPrice),
    maxPrice: one(params.maxPrice),
    available: one(params.available) === 'true',
    sort: one(params.sort),
  };
}

/** True when the search narrows the list (a sort alone does not). */
export function narrows(search: TicketSearch): boolean {
  return Boolean(
    search.q || search.city || search.from || search.to || search.minPrice || search.maxPrice || search.available,
  );
}

/** The day after `day` (`YYYY-MM-DD`), or undefined for what is not a day. */
function nextDay(day: string): string | undefined {
  if (!DAY.test(day)) return undefined;
  const time = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(time)) return undefined;
  return new Date(time + 86_400_000).toISOString().slice(0, 10);
}

/**
 * The API's query for a search: empty fields left out, and the last day turned into the
 * API's exclusive bound (events before the next midnight UTC). A malformed value is passed
 * on as it is, for the API to say what is wrong with it.
 */
export function apiQuery(search: TicketSearch): Record<string, string> {
  const query: Record<string, string> = {};
  if (search.q) query.q = search.q;
  if (search.city) query.city = search.city;
  if (search.from) query.from = search.from;
  if (search.to) query.to = nextDay(search.to) ?? search.to;
  if (search.minPrice) query.minPrice = search.minPrice;
  if (search.maxPrice) query.maxPrice = search.maxPrice;
  if (search.available) query.available = 'true';
  if (search.sort) query.sort = search.sort;
  return query;
}
