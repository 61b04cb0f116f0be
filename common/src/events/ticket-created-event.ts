import { z } from 'zod';
import { id, price, version } from './contract-fields';
import type { Subjects } from './subjects';

/** `ticket:created`: published once when a ticket is listed; `version` is 0. */
export const ticketCreatedData = z.object({ id, version, title: z.string(), price, userId: z.string() });

export interface TicketCreatedEvent {
  subject: Subjects.TicketCreated;
  data: z.output<typeof ticketCreatedData>;
}
