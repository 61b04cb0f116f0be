import { Subjects } from './subjects';

/** The course's `ticket:created` event. */
export interface TicketCreatedEvent {
  subject: Subjects.TicketCreated;
  data: {
    id: string;
    title: string;
    price: number;
  };
}
