import { z } from 'zod';
import { id, price, version } from './contract-fields';
import { OrderStatus } from './order-status';
import type { Subjects } from './subjects';

/** `order:created`: a ticket was reserved; the order expires at `expiresAt` (ISO 8601 UTC) unless paid. */
export const orderCreatedData = z.object({
  id,
  version,
  status: z.enum(OrderStatus),
  userId: z.string(),
  expiresAt: z.iso.datetime(),
  ticket: z.object({ id, price }),
});

export interface OrderCreatedEvent {
  subject: Subjects.OrderCreated;
  data: z.output<typeof orderCreatedData>;
}
