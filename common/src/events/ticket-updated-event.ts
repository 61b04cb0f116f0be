import { z } from 'zod';
import { id, price, version } from './contract-fields';
import type { Subjects } from './subjects';

/**
 * `ticket:updated`: published after every change of a ticket (an edit, a reservation, a
 * release, its sale) with its new `version`. `orderId` names the order holding it, null when
 * free; events stored before reservations existed lack it, which means free. `sold` is true
 * once the order holding it was paid; events stored before sales existed lack it (not sold).
 */
export const ticketUpdatedData = z.object({
  id,
  version,
  title: z.string(),
  price,
  userId: z.string(),
  orderId: id.nullable().optional(),
  sold: z.boolean().optional(),
});

export interface TicketUpdatedEvent {
  subject: Subjects.TicketUpdated;
  data: z.output<typeof ticketUpdatedData>;
}
