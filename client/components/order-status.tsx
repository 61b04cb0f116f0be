import type { Order } from '../lib/api/types';
import styles from './order-status.module.css';

/** What a person reads of an order's status; a cancelled order that ran out of time says Expired. */
export type OrderBadge = Order['status'] | 'expired';

const LABELS: Record<OrderBadge, string> = {
  created: 'Awaiting payment',
  cancelled: 'Cancelled',
  expired: 'Expired',
  complete: 'Paid',
};

/**
 * True for a cancelled order that ran out of time rather than being cancelled by its buyer:
 * it was cancelled at or after its `expiresAt`. Orders cancelled before the service kept
 * `cancelledAt` cannot tell, and say Cancelled.
 */
export function hasExpired(order: Pick<Order, 'status' | 'expiresAt' | 'cancelledAt'>): boolean {
  if (order.status !== 'cancelled' || !order.cancelledAt) return false;
  return Date.parse(order.cancelledAt) >= Date.parse(order.expiresAt);
}

/** The order's status as a small coloured label. */
export function OrderStatusBadge({ status }: { status: OrderBadge }) {
  return (
    <span className={`${styles.status} ${styles[status === 'expired' ? 'cancelled' : status]}`}>{LABELS[status]}</span>
  );
}
