import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Notice } from '../../../components/notice';
import { OrderActions } from '../../../components/order-actions';
import { hasExpired, OrderStatusBadge } from '../../../components/order-status';
import { RefreshEvery } from '../../../components/refresh-every';
import type { Order, Payment } from '../../../lib/api/types';
import { formatDateTime } from '../../../lib/format/date';
import { formatPrice } from '../../../lib/format/money';
import { getCurrentUser } from '../../../lib/server/current-user';
import { findOrder } from '../../../lib/server/orders';
import { findPayment } from '../../../lib/server/payments';
import { stripePublishableKey } from '../../../lib/server/stripe-key';
import styles from './order.module.css';

interface OrderPageProps {
  params: Promise<{ orderId: string }>;
}

/**
 * A cancelled order, and what became of the money: nothing was taken; or it was taken as the
 * order was being cancelled (it expired while the payment was in flight) and is on its way
 * back, or back.
 */
function CancelledOutcome({ order, payment }: { order: Order; payment: Payment | null | 'unavailable' }) {
  const expired = hasExpired(order);
  const charged = payment !== null && payment !== 'unavailable' && payment.status !== 'declined' ? payment : null;
  const refunded = charged?.status === 'refunded';
  return (
    <div className={styles.outcome} role="status">
      {charged ? (
        <p>
          <strong>
            {refunded ? 'Cancelled — your payment was refunded' : 'Cancelled — your payment is being refunded'}
          </strong>{' '}
          — the order {expired ? 'expired' : 'was cancelled'} before your payment went through, so{' '}
          {formatPrice(charged.amount)} {refunded ? 'went' : 'is going'} back to your card and the ticket is no longer
          held for you.
        </p>
      ) : (
        <p>
          <strong>{expired ? 'Order expired' : 'Order cancelled'}</strong> —{' '}
          {expired ? 'it was not paid in time, so the ticket' : 'the ticket'} is no longer held for you.
        </p>
      )}
      {charged && !refunded ? <RefreshEvery ms={2_000} /> : null}
      <Link href={`/tickets/${order.ticket.id}`} className="button">
        Back to the ticket
      </Link>
    </div>
  );
}

/** The one moment that matters about the order: its deadline while it waits, else when it was paid, expired or cancelled. */
function OrderMoment({ order, payment }: { order: Order; payment: Payment | null }) {
  let label: string;
  let at: string | null;
  if (payment) [label, at] = ['Paid on', payment.createdAt];
  else if (order.status === 'created') [label, at] = ['Pay by', order.expiresAt];
  else if (order.status === 'complete') [label, at] = ['Paid on', null];
  else if (hasExpired(order)) [label, at] = ['Expired on', order.expiresAt];
  else [label, at] = ['Cancelled on', order.cancelledAt];
  // Orders paid or cancelled before the service kept the moment have none to show.
  if (!at) return null;
  return (
    <div>
      <dt>{label}</dt>
      <dd>
        <time dateTime={at}>{formatDateTime(at)}</time>
      </dd>
    </div>
  );
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
  const [payment, publishableKey] = await Promise.all([findPayment(order.id), stripePublishableKey()]);
  // Orders completes the order a moment after payments has taken the money.
  const paid =
    order.status === 'complete' ||
    (order.status === 'created' && payment !== null && payment !== 'unavailable' && payment.status === 'succeeded');

  return (
    <>
      <Link href="/orders" className={styles.back}>
        ← My orders
      </Link>
      <article className={styles.order}>
        <OrderStatusBadge status={paid ? 'complete' : hasExpired(order) ? 'expired' : order.status} />
        <h1 className={styles.title}>{order.ticket.title}</h1>
        <p className={styles.price}>{formatPrice(order.ticket.price)}</p>
        <dl className={styles.facts}>
          <OrderMoment order={order} payment={paid && payment !== 'unavailable' ? payment : null} />
          <div>
            <dt>Order</dt>
            <dd className={styles.id}>{order.id}</dd>
          </div>
        </dl>
        {order.status === 'created' && !paid ? (
          <OrderActions key={order.version} order={order} publishableKey={publishableKey} />
        ) : null}
        {order.status === 'cancelled' ? <CancelledOutcome order={order} payment={payment} /> : null}
        {paid ? (
          <div className={styles.outcome} role="status">
            <p>
              <strong>Paid</strong> — the ticket is yours.
            </p>
            <Link href="/orders" className="button">
              My orders
            </Link>
            {order.status === 'created' ? <RefreshEvery ms={1_000} /> : null}
          </div>
        ) : null}
      </article>
    </>
  );
}
