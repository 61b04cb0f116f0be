import { isAxiosError } from 'axios';
import { cache } from 'react';
import { isUnavailable } from '../api/api-errors';
import type { Ticket } from '../api/types';
import { describeError, log } from './log';
import { serverClient } from './server-client';

/** What asking for one ticket can come to; anything else (a bug, a 500) throws to the error page. */
export type TicketLookup = { kind: 'found'; ticket: Ticket } | { kind: 'missing' } | { kind: 'unavailable' };

/** Looks a ticket up. Memoized per request: the page and its metadata both ask. */
export const findTicket = cache(async (id: string): Promise<TicketLookup> => {
  const client = await serverClient();
  try {
    const { data } = await client.get<Ticket>(`/api/tickets/${encodeURIComponent(id)}`);
    return { kind: 'found', ticket: data };
  } catch (error) {
    if (isAxiosError(error) && error.response?.status === 404) return { kind: 'missing' };
    if (!isUnavailable(error)) throw error;
    log.warn({ ...describeError(error), ticketId: id }, 'ticket unavailable');
    return { kind: 'unavailable' };
  }
});
