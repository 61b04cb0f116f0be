import type { PaymentStatus } from '../db/schema';
import type { PaymentRow } from '../db/payment-ledger';

/** A payment as the API shows it (`amount` in dollars). */
export interface Payment {
  id: string;
  orderId: string;
  /** The provider's id of the charge; null until it succeeded. */
  chargeId: string | null;
  status: PaymentStatus;
  amount: number;
  currency: string;
  createdAt: string;
}

/** The API's view of a payment row. */
export function toPayment(row: PaymentRow): Payment {
  return {
    id: row.id,
    orderId: row.orderId,
    chargeId: row.chargeId,
    status: row.status,
    amount: row.amountCents / 100,
    currency: row.currency,
    createdAt: row.createdAt.toISOString(),
  };
}
