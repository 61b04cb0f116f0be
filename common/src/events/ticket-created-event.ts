import type { Subjects } from './subjects';

/** Published once when a ticket is created; `version` is 0. */
export interface TicketCreatedEvent {
  subject: Subjects.TicketCreated;
  data: {
    id: string;
    version: number;
    title: string;
    price: number;
    userId: string;
  };
}
