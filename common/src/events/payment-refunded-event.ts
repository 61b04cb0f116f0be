import { z } from 'zod';
import { id } from './contract-fields';
import type { Subjects } from './subjects';

/** `payment:refunded`: the charge of an order cancelled after it was paid was given back. */
export const paymentRefundedData = z.object({ id, orderId: id, chargeId: z.string().min(1) });

export interface PaymentRefundedEvent {
  subject: Subjects.PaymentRefunded;
  data: z.output<typeof paymentRefundedData>;
}
