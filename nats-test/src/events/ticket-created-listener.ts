import { Listener, Subjects, type JsMsg, type TicketCreatedEvent } from '@ticketing/common';

/** Prints each `ticket:created` with its stream sequence, then acks it (queue group `payments-service`). */
export class TicketCreatedListener extends Listener<TicketCreatedEvent> {
  readonly subject = Subjects.TicketCreated;
  readonly queueGroupName = 'payments-service';

  onMessage(data: TicketCreatedEvent['data'], msg: JsMsg): void {
    console.log(`Event #${msg.seq} received: ${msg.subject} ${JSON.stringify(data)}`);
    msg.ack();
  }
}
