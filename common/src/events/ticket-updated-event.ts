import type { Subjects } from './subjects';

/** Published after each update of a ticket, with its new `version` (one more than the last event's). */
export interface TicketUpdatedEvent {
  subject: Subjects.TicketUpdated;
  data: {
    id: string;
    version: number;
    title: string;
    price: number;
    userId: string;
  };
}
