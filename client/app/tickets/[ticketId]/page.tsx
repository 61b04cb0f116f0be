import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { FormCard } from '../../../components/form-card';
import { Notice } from '../../../components/notice';
import { TicketForm } from '../../../components/ticket-form';
import { formatDateTime } from '../../../lib/format/date';
import { formatPrice } from '../../../lib/format/money';
import { getCurrentUser } from '../../../lib/server/current-user';
import { findTicket } from '../../../lib/server/find-ticket';
import { setResponseStatus } from '../../../lib/server/response-status';
import styles from './ticket.module.css';

interface TicketPageProps {
  params: Promise<{ ticketId: string }>;
}

export async function generateMetadata({ params }: TicketPageProps): Promise<Metadata> {
  const lookup = await findTicket((await params).ticketId);
  return { title: lookup.kind === 'found' ? lookup.ticket.title : 'Ticket' };
}

export default async function TicketPage({ params }: TicketPageProps) {
  const { ticketId } = await params;
  const [lookup, currentUser] = await Promise.all([findTicket(ticketId), getCurrentUser()]);
  if (lookup.kind === 'missing') notFound();
  if (lookup.kind === 'unavailable') {
    setResponseStatus(503);
    return (
      <Notice title="This ticket is unavailable right now">
        <p>We couldn&rsquo;t load it. Please try again in a moment.</p>
      </Notice>
    );
  }
  const { ticket } = lookup;
  const isOwner = currentUser?.id === ticket.userId;

  return (
    <>
      <Link href="/" className={styles.back}>
        ← All tickets
      </Link>
      <div className={isOwner ? styles.withEditor : styles.single}>
        <article className={styles.ticket}>
          {isOwner ? <p className={styles.badge}>Your listing</p> : null}
          <h1 className={styles.title}>{ticket.title}</h1>
          <p className={styles.price}>{formatPrice(ticket.price)}</p>
          <dl className={styles.facts}>
            <div>
              <dt>Listed</dt>
              <dd>
                <time dateTime={ticket.createdAt}>{formatDateTime(ticket.createdAt)}</time>
              </dd>
            </div>
            <div>
              <dt>Ticket</dt>
              <dd className={styles.id}>{ticket.id}</dd>
            </div>
          </dl>
        </article>
        {isOwner ? (
          <FormCard title="Edit listing" subtitle="Change the title or the price." headingLevel={2}>
            <TicketForm ticket={ticket} />
          </FormCard>
        ) : null}
      </div>
    </>
  );
}
