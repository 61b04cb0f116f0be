import type { AxiosInstance } from 'axios';
import { nextPagePath } from './link-header';
import type { Ticket } from './types';

/** How many tickets one page of the list holds: a full grid row at 2, 3 and 4 columns. */
export const PAGE_SIZE = 24;

/** One page of the list and the path of the next page, if any. */
export interface TicketPage {
  tickets: Ticket[];
  next: string | null;
}

/**
 * Fetches the first page of a search (`query`: the API's parameters, none for the newest
 * tickets), or the page at `path` (a `next` from a previous page, which keeps the search).
 */
export async function fetchTicketPage(
  client: AxiosInstance,
  path?: string,
  query: Record<string, string> = {},
): Promise<TicketPage> {
  const response = path
    ? await client.get<Ticket[]>(path)
    : await client.get<Ticket[]>('/api/tickets', { params: { ...query, limit: PAGE_SIZE } });
  const link = response.headers['link'];
  return { tickets: response.data, next: nextPagePath(typeof link === 'string' ? link : null) };
}
