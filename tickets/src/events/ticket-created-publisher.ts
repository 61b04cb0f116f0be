import { Publisher, Subjects, type TicketCreatedEvent } from '@ticketing/common';

/** Publishes `ticket:created`. */
export class TicketCreatedPublisher extends Publisher<TicketCreatedEvent> {
  readonly subject = Subjects.TicketCreated;
}
