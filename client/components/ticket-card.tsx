'use client';

import Link, { useLinkStatus } from 'next/link';
import { formatDate, formatEventTime, formatPlace } from '../lib/format/date';
import { formatPrice } from '../lib/format/money';
import { STATUS_LABELS } from '../lib/format/status';
import type { Ticket } from '../lib/api/types';
import styles from './ticket-list.module.css';

// The ticket page has no loading.js (an unknown id must answer a real 404), and cards are
// not prefetched (a full grid would render every ticket page on the server per visit), so
// the card itself shows that the click is being answered.
function OpeningHint() {
  const { pending } = useLinkStatus();
  return pending ? <span className={styles.opening}>Opening…</span> : null;
}

/**
 * One ticket in the grid: title, when the event starts (in its venue's zone) and where,
 * price, and whether someone holds it; the whole card a link to it.
 */
export function TicketCard({ ticket }: { ticket: Ticket }) {
  const place = formatPlace(ticket.venue, ticket.city);
  return (
    <Link href={`/tickets/${ticket.id}`} prefetch={false} className={styles.card}>
      <span className={styles.title}>{ticket.title}</span>
      <span className={styles.when}>
        {ticket.eventAt ? (
          <time dateTime={ticket.eventAt}>{formatEventTime(ticket.eventAt, ticket.timeZone)}</time>
        ) : (
          formatEventTime(null, ticket.timeZone)
        )}
      </span>
      {place ? <span className={styles.place}>{place}</span> : null}
      <span className={styles.price}>{formatPrice(ticket.price)}</span>
      <span className={styles.meta}>
        {ticket.status === 'available' ? `Listed ${formatDate(ticket.createdAt)}` : STATUS_LABELS[ticket.status]}
        <OpeningHint />
      </span>
    </Link>
  );
}
