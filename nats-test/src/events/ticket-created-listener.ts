import { Listener, Subjects, type MessageContext, type TicketCreatedEvent } from '@ticketing/common/events';

/** Prints each `ticket:created` with its stream sequence (queue group `payments-service`); the base class acks it. */
export class TicketCreatedListener extends Listener<TicketCreatedEvent> {
  readonly subject = Subjects.TicketCreated;
  readonly queueGroupName = 'payments-service';

  async onMessage(data: TicketCreatedEvent['data'], { seq, subject }: MessageContext): Promise<void> {
    console.log(`Event #${seq} received: ${subject} ${JSON.stringify(data)}`);
  }
}
