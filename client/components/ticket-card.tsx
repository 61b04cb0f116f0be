'use client';

import Link, { useLinkStatus } from 'next/link';
import { formatDate } from '../lib/format/date';
import { formatPrice } from '../lib/format/money';
import type { Ticket } from '../lib/api/types';
import styles from './ticket-list.module.css';

// The ticket page has no loading.js (an unknown id must answer a real 404), and cards are
// not prefetched (a full grid would render every ticket page on the server per visit), so
// the card itself shows that the click is being answered.
function OpeningHint() {
  const { pending } = useLinkStatus();
  return pending ? <span className={styles.opening}>Opening…</span> : null;
}

/** One ticket in the grid: title, price and listing date, the whole card a link to it. */
export function TicketCard({ ticket }: { ticket: Ticket }) {
  return (
    <Link href={`/tickets/${ticket.id}`} prefetch={false} className={styles.card}>
      <span className={styles.title}>{ticket.title}</span>
      <span className={styles.price}>{formatPrice(ticket.price)}</span>
      <span className={styles.meta}>
        Listed {formatDate(ticket.createdAt)}
        <OpeningHint />
      </span>
    </Link>
  );
}
