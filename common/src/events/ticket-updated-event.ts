import { z } from 'zod';
import { eventDetails, id, price, version } from './contract-fields';
import type { Subjects } from './subjects';

/**
 * `ticket:updated`: published after every change of a ticket (an edit, a reservation, a
 * release, its sale) with its new `version`. `orderId` names the order holding it, null when
 * free; events stored before reservations existed lack it, which means free. `sold` is true
 * once the order holding it was paid; events stored before sales existed lack it (not sold).
 * `withdrawn` is true once its seller took it down (a reservation that raced the withdrawal
 * still holds it); the event's details are as for `ticket:created`, and absent in events
 * stored before them.
 */
export const ticketUpdatedData = z.object({
  id,
  version,
  title: z.string(),
  price,
  userId: z.string(),
  orderId: id.nullable().optional(),
  sold: z.boolean().optional(),
  withdrawn: z.boolean().optional(),
  ...eventDetails,
});

export interface TicketUpdatedEvent {
  subject: Subjects.TicketUpdated;
  data: z.output<typeof ticketUpdatedData>;
}
