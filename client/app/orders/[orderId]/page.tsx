import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Notice } from '../../../components/notice';
import { OrderActions } from '../../../components/order-actions';
import { OrderStatusBadge } from '../../../components/order-status';
import { formatDateTime } from '../../../lib/format/date';
import { formatPrice } from '../../../lib/format/money';
import { getCurrentUser } from '../../../lib/server/current-user';
import { findOrder } from '../../../lib/server/orders';
import styles from './order.module.css';

interface OrderPageProps {
  params: Promise<{ orderId: string }>;
}

export async function generateMetadata({ params }: OrderPageProps): Promise<Metadata> {
  const lookup = await findOrder((await params).orderId);
  return { title: lookup.kind === 'found' ? `Order: ${lookup.order.ticket.title}` : 'Order' };
}

export default async function OrderPage({ params }: OrderPageProps) {
  const { orderId } = await params;
  const currentUser = await getCurrentUser();
  if (!currentUser) {
    return (
      <Notice
        title="Sign in to see this order"
        actions={
          <Link href="/auth/signin" className="button button-primary">
            Sign in
          </Link>
        }
      >
        <p>Orders belong to the account that placed them.</p>
      </Notice>
    );
  }
  const lookup = await findOrder(orderId);
  if (lookup.kind === 'missing' || lookup.kind === 'forbidden') notFound();
  if (lookup.kind === 'unavailable') {
    return (
      <Notice title="This order is unavailable right now">
        <p>We couldn&rsquo;t load it. Please try again in a moment.</p>
      </Notice>
    );
  }
  const { order } = lookup;
  const expired = order.status === 'cancelled' && Date.now() >= Date.parse(order.expiresAt);

  return (
    <>
      <Link href="/orders" className={styles.back}>
        ← My orders
      </Link>
      <article className={styles.order}>
        <OrderStatusBadge status={order.status} />
        <h1 className={styles.title}>{order.ticket.title}</h1>
        <p className={styles.price}>{formatPrice(order.ticket.price)}</p>
        <dl className={styles.facts}>
          <div>
            <dt>{order.status === 'created' ? 'Pay by' : 'Reserved until'}</dt>
            <dd>
              <time dateTime={order.expiresAt}>{formatDateTime(order.expiresAt)}</time>
            </dd>
          </div>
          <div>
            <dt>Order</dt>
            <dd className={styles.id}>{order.id}</dd>
          </div>
        </dl>
        {order.status === 'created' ? <OrderActions key={order.version} order={order} /> : null}
        {order.status === 'cancelled' ? (
          <div className={styles.outcome} role="status">
            <p>
              <strong>{expired ? 'Order expired' : 'Order cancelled'}</strong> —{' '}
              {expired ? 'it was not paid in time, so the ticket' : 'the ticket'} is no longer held for you.
            </p>
            <Link href={`/tickets/${order.ticket.id}`} className="button">
              Back to the ticket
            </Link>
          </div>
        ) : null}
        {order.status === 'complete' ? (
          <div className={styles.outcome} role="status">
            <p>
              <strong>Paid</strong> — the ticket is yours.
            </p>
            <Link href="/orders" className="button">
              My orders
            </Link>
          </div>
        ) : null}
      </article>
    </>
  );
}
