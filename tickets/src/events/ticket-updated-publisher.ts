import { Publisher, Subjects, type TicketUpdatedEvent } from '@ticketing/common';

/** Publishes `ticket:updated`. */
export class TicketUpdatedPublisher extends Publisher<TicketUpdatedEvent> {
  readonly subject = Subjects.TicketUpdated;
}
