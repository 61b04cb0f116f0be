import { z } from 'zod';
import { eventDetails, id, price, version } from './contract-fields';
import type { Subjects } from './subjects';

/**
 * `ticket:created`: published once when a ticket is listed; `version` is 0. What it says of
 * the event (`eventAt`, `timeZone`, `venue`, `city`, `seat`) came later: events stored
 * before lack it, which means to be announced, in UTC, nowhere in particular.
 */
export const ticketCreatedData = z.object({
  id,
  version,
  title: z.string(),
  price,
  userId: z.string(),
  ...eventDetails,
});

export interface TicketCreatedEvent {
  subject: Subjects.TicketCreated;
  data: z.output<typeof ticketCreatedData>;
}
