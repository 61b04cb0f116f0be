import type { Metadata } from 'next';
import Link from 'next/link';
import { Notice } from '../../../components/notice';
import { WithdrawButton } from '../../../components/withdraw-button';
import { isUnavailable } from '../../../lib/api/api-errors';
import { fetchTicketPage, type TicketPage } from '../../../lib/api/tickets';
import { formatEventTime, formatPlace } from '../../../lib/format/date';
import { formatPrice } from '../../../lib/format/money';
import { STATUS_LABELS } from '../../../lib/format/status';
import { getCurrentUser } from '../../../lib/server/current-user';
import { describeError, log } from '../../../lib/server/log';
import { setResponseStatus } from '../../../lib/server/response-status';
import { serverClient } from '../../../lib/server/server-client';
import rows from '../../../components/row-list.module.css';
import styles from './mine.module.css';

export const metadata: Metadata = { title: 'My listings' };

async function myListings(cursor: string | undefined): Promise<TicketPage | null> {
  try {
    const client = await serverClient();
    const query = new URLSearchParams({ seller: 'me', limit: '100' });
    if (cursor) query.set('cursor', cursor);
    return await fetchTicketPage(client, `/api/tickets?${query}`);
  } catch (error) {
    if (!isUnavailable(error)) throw error;
    log.warn(describeError(error), 'listings unavailable');
    return null;
  }
}

interface MyListingsProps {
  searchParams: Promise<{ after?: string | string[] }>;
}

/** The signed-in seller's listings in every status, newest first, each free one with "Withdraw". */
export default async function MyListingsPage({ searchParams }: MyListingsProps) {
  const currentUser = await getCurrentUser();
  if (!currentUser) {
    return (
      <Notice
        title="Sign in to see your listings"
        actions={
          <Link href="/auth/signin" className="button button-primary">
            Sign in
          </Link>
        }
      >
        <p>Listings belong to the account that posted them.</p>
      </Notice>
    );
  }
  const { after } = await searchParams;
  const page = await myListings(typeof after === 'string' ? after : undefined);
  if (!page) {
    setResponseStatus(503);
    return (
      <Notice title="Your listings are unavailable right now">
        <p>We couldn&rsquo;t load them. Please try again in a moment.</p>
      </Notice>
    );
  }
  if (page.tickets.length === 0) {
    return (
      <Notice
        title="No listings yet"
        actions={
          <Link href="/tickets/new" className="button button-primary">
            Sell a ticket
          </Link>
        }
      >
        <p>Tickets you list for sale show up here, whatever becomes of them.</p>
      </Notice>
    );
  }
  const next = page.next ? new URL(page.next, 'http://origin.invalid').searchParams.get('cursor') : null;
  return (
    <section className={rows.page}>
      <h1>My listings</h1>
      <ul className={rows.list}>
        {page.tickets.map((ticket) => (
          <li key={ticket.id} className={rows.row} data-ticket-id={ticket.id}>
            <Link href={`/tickets/${ticket.id}`} className={rows.title}>
              {ticket.title}
            </Link>
            <span className={rows.price}>{formatPrice(ticket.price)}</span>
            <span className={`${styles.status} ${styles[ticket.status]}`} data-status={ticket.status}>
              {STATUS_LABELS[ticket.status]}
            </span>
            <span className={rows.when}>
              {formatEventTime(ticket.eventAt, ticket.timeZone)}
              {formatPlace(ticket.venue, ticket.city) ? ` · ${formatPlace(ticket.venue, ticket.city)}` : ''}
            </span>
            {ticket.status === 'available' ? <WithdrawButton ticketId={ticket.id} title={ticket.title} /> : null}
          </li>
        ))}
      </ul>
      {next ? (
        <Link href={`/tickets/mine?after=${encodeURIComponent(next)}`} className="button">
          Older listings
        </Link>
      ) : null}
    </section>
  );
}
