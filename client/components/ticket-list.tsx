'use client';

import { useState } from 'react';
import { apiErrorsFrom } from '../lib/api/api-errors';
import { buildClient } from '../lib/api/build-client';
import { fetchTicketPage, type TicketPage } from '../lib/api/tickets';
import type { Ticket } from '../lib/api/types';
import { EmptyState } from './empty-state';
import { TicketCard } from './ticket-card';
import styles from './ticket-list.module.css';

// A ticket listed while the visitor reads shifts later pages by one: never show it twice.
function withoutRepeats(tickets: Ticket[]): Ticket[] {
  const byId = new Map<string, Ticket>();
  for (const ticket of tickets) if (!byId.has(ticket.id)) byId.set(ticket.id, ticket);
  return [...byId.values()];
}

/**
 * The newest-first grid. The first page comes server-rendered; "Load more" follows the API's
 * `rel="next"` link from the browser and appends. Only the appended pages live in state, so a
 * refresh of the first page from the server still shows.
 */
export function TicketList({ first }: { first: TicketPage }) {
  const [more, setMore] = useState<Ticket[]>([]);
  const [next, setNext] = useState<string | null | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const tickets = withoutRepeats([...first.tickets, ...more]);
  const nextPath = next === undefined ? first.next : next;

  async function loadMore() {
    if (!nextPath) return;
    setLoading(true);
    setError(null);
    try {
      const page = await fetchTicketPage(buildClient(), nextPath);
      setMore((previous) => [...previous, ...page.tickets]);
      setNext(page.next);
    } catch (e) {
      setError(apiErrorsFrom(e)[0]?.message ?? null);
    } finally {
      setLoading(false);
    }
  }

  if (tickets.length === 0) return <EmptyState />;

  return (
    <>
      <ul className={styles.grid}>
        {tickets.map((ticket) => (
          <li key={ticket.id}>
            <TicketCard ticket={ticket} />
          </li>
        ))}
      </ul>
      {nextPath ? (
        <div className={styles.more}>
          <button type="button" className="button" onClick={loadMore} disabled={loading}>
            {loading ? 'Loading…' : 'Load more'}
          </button>
          {error ? (
            <p role="alert" className={styles.moreError}>
              {error}
            </p>
          ) : null}
        </div>
      ) : null}
    </>
  );
}
