import { Listener, Subjects, type MessageContext, type TicketUpdatedEvent } from '@ticketing/common/events';

/** Prints each `ticket:updated` with its stream sequence (queue group `payments-service`); the base class acks it. */
export class TicketUpdatedListener extends Listener<TicketUpdatedEvent> {
  readonly subject = Subjects.TicketUpdated;
  readonly queueGroupName = 'payments-service';

  async onMessage(data: TicketUpdatedEvent['data'], { seq, subject }: MessageContext): Promise<void> {
    console.log(`Event #${seq} received: ${subject} ${JSON.stringify(data)}`);
  }
}
