import type { Order } from '../lib/api/types';
import styles from './order-status.module.css';

const LABELS: Record<Order['status'], string> = {
  created: 'Awaiting payment',
  cancelled: 'Cancelled',
  complete: 'Paid',
};

/** The order's status as a small coloured label. */
export function OrderStatusBadge({ status }: { status: Order['status'] }) {
  return <span className={`${styles.status} ${styles[status]}`}>{LABELS[status]}</span>;
}
