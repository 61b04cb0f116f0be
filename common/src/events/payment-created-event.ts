import { z } from 'zod';
import { id } from './contract-fields';
import type { Subjects } from './subjects';

/** `payment:created`: an order was charged; `chargeId` is the payment provider's id of the charge. */
export const paymentCreatedData = z.object({ id, orderId: id, chargeId: z.string().min(1) });

export interface PaymentCreatedEvent {
  subject: Subjects.PaymentCreated;
  data: z.output<typeof paymentCreatedData>;
}
