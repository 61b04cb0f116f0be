import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { FormCard } from '../../../components/form-card';
import { Notice } from '../../../components/notice';
import { PurchaseButton } from '../../../components/purchase-button';
import { TicketForm } from '../../../components/ticket-form';
import { formatDateTime, formatEventTime, formatPlace } from '../../../lib/format/date';
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
  // A sold ticket stays held by its paid order for good.
  const sold = ticket.sold;
  const reserved = ticket.orderId !== null && !sold;

  const withdrawn = ticket.status === 'withdrawn';
  const place = formatPlace(ticket.venue, ticket.city);

  let panel: ReactNode;
  if (withdrawn) {
    panel = (
      <FormCard
        title="Withdrawn"
        subtitle={isOwner ? 'You took this listing down.' : 'The seller took this listing down.'}
        headingLevel={2}
      >
        <p className={styles.note}>It is no longer for sale.</p>
      </FormCard>
    );
  } else if (sold) {
    panel = (
      <FormCard
        title="Sold"
        subtitle={isOwner ? 'A buyer has paid for this ticket.' : 'This ticket has been sold.'}
        headingLevel={2}
      >
        <p className={styles.note}>
          {isOwner
            ? 'It can no longer be edited.'
            : 'It is no longer available. Have a look at the other tickets for sale.'}
        </p>
      </FormCard>
    );
  } else if (isOwner && !reserved) {
    panel = (
      <FormCard title="Edit listing" subtitle="Change the title, the price or the event's details." headingLevel={2}>
        <TicketForm ticket={ticket} />
      </FormCard>
    );
  } else if (isOwner) {
    panel = (
      <FormCard title="Reserved" subtitle="A buyer's order holds this ticket." headingLevel={2}>
        <p className={styles.note}>
          It can&rsquo;t be edited while the order holds it. If the order is cancelled or expires, you can edit it
          again.
        </p>
      </FormCard>
    );
  } else if (reserved) {
    panel = (
      <FormCard title="Reserved" subtitle="Someone has reserved this ticket." headingLevel={2}>
        <p className={styles.note}>
          It can&rsquo;t be bought right now. It becomes available again if the order expires.
        </p>
      </FormCard>
    );
  } else if (currentUser) {
    panel = (
      <FormCard title="Buy this ticket" subtitle="It is held for you while you pay." headingLevel={2}>
        <PurchaseButton ticketId={ticket.id} />
      </FormCard>
    );
  } else {
    panel = (
      <FormCard title="Buy this ticket" subtitle="Sign in to reserve it." headingLevel={2}>
        <div className={styles.actions}>
          <Link href="/auth/signin" className="button button-primary">
            Sign in
          </Link>
          <Link href="/auth/signup" className="button">
            Create an account
          </Link>
        </div>
      </FormCard>
    );
  }

  return (
    <>
      <Link href="/" className={styles.back}>
        ← All tickets
      </Link>
      <div className={styles.withEditor}>
        <article className={styles.ticket}>
          <div className={styles.badges}>
            {isOwner ? <p className={styles.badge}>Your listing</p> : null}
            {reserved ? <p className={`${styles.badge} ${styles.reserved}`}>Reserved</p> : null}
            {sold ? <p className={`${styles.badge} ${styles.sold}`}>Sold</p> : null}
            {withdrawn ? <p className={`${styles.badge} ${styles.sold}`}>Withdrawn</p> : null}
          </div>
          <h1 className={styles.title}>{ticket.title}</h1>
          <p className={styles.price}>{formatPrice(ticket.price)}</p>
          <dl className={styles.facts}>
            <div>
              <dt>When</dt>
              <dd>
                {ticket.eventAt ? (
                  <time dateTime={ticket.eventAt}>{formatEventTime(ticket.eventAt, ticket.timeZone)}</time>
                ) : (
                  formatEventTime(null, ticket.timeZone)
                )}
              </dd>
            </div>
            {place ? (
              <div>
                <dt>Where</dt>
                <dd>{place}</dd>
              </div>
            ) : null}
            {ticket.seat ? (
              <div>
                <dt>Seat</dt>
                <dd>{ticket.seat}</dd>
              </div>
            ) : null}
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
        {panel}
      </div>
    </>
  );
}
