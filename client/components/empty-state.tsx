import Link from 'next/link';
import styles from './ticket-list.module.css';

/** What the home page shows before anyone has listed a ticket. */
export function EmptyState() {
  return (
    <div className={styles.empty}>
      <p className={styles.emptyTitle}>
        No tickets yet — <Link href="/tickets/new">sell the first one</Link>
      </p>
      <p>Listings appear here, newest first, as soon as they are posted.</p>
    </div>
  );
}
