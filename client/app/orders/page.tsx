import type { Metadata } from 'next';
import Link from 'next/link';
import { Notice } from '../../components/notice';
import { hasExpired, OrderStatusBadge } from '../../components/order-status';
import { formatDateTime } from '../../lib/format/date';
import { formatPrice } from '../../lib/format/money';
import { getCurrentUser } from '../../lib/server/current-user';
import type { Order } from '../../lib/api/types';
import { listOrders } from '../../lib/server/orders';
import rows from '../../components/row-list.module.css';
import styles from './orders.module.css';

export const metadata: Metadata = { title: 'My orders' };

/** When what matters about the order happens or happened: its deadline, or when it ended. */
function OrderWhen({ order }: { order: Order }) {
  const moment = (label: string, iso: string) => (
    <span className={rows.when}>
      {label} <time dateTime={iso}>{formatDateTime(iso)}</time>
    </span>
  );
  if (order.status === 'created') return moment('Pay by', order.expiresAt);
  if (order.status === 'complete') return null;
  if (hasExpired(order)) return moment('Expired on', order.expiresAt);
  return order.cancelledAt ? moment('Cancelled on', order.cancelledAt) : null;
}

export default async function OrdersPage() {
  const currentUser = await getCurrentUser();
  if (!currentUser) {
    return (
      <Notice
        title="Sign in to see your orders"
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
  const orders = await listOrders();
  if (!orders) {
    return (
      <Notice title="Your orders are unavailable right now">
        <p>We couldn&rsquo;t load them. Please try again in a moment.</p>
      </Notice>
    );
  }
  if (orders.length === 0) {
    return (
      <Notice
        title="No orders yet"
        actions={
          <Link href="/" className="button button-primary">
            Browse tickets
          </Link>
        }
      >
        <p>Tickets you reserve or buy show up here.</p>
      </Notice>
    );
  }
  return (
    <section className={rows.page}>
      <h1>My orders</h1>
      <ul className={rows.list}>
        {orders.map((order) => (
          <li key={order.id}>
            <Link href={`/orders/${order.id}`} className={`${rows.row} ${styles.link}`}>
              <span className={rows.title}>{order.ticket.title}</span>
              <span className={rows.price}>{formatPrice(order.ticket.price)}</span>
              <OrderStatusBadge status={hasExpired(order) ? 'expired' : order.status} />
              <OrderWhen order={order} />
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
