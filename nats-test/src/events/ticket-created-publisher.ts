import { Publisher, Subjects, type TicketCreatedEvent } from '@ticketing/common/events';

/** Publishes `ticket:created`. */
export class TicketCreatedPublisher extends Publisher<TicketCreatedEvent> {
  readonly subject = Subjects.TicketCreated;
}
