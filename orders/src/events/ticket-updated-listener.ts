import { InboxListener, type Db } from '@ticketing/common/db';
import { Subjects, type TicketUpdatedEvent } from '@ticketing/common/events';
import type { OrdersSchema } from '../db/schema';
import { TicketCopies } from '../db/ticket-copy';

/** Applies a ticket's next version (an edit, a reservation, a release) to orders' copy, in version order. */
export class TicketUpdatedListener extends InboxListener<TicketUpdatedEvent, OrdersSchema> {
  readonly subject = Subjects.TicketUpdated;
  readonly queueGroupName = 'orders-service';

  async handle(data: TicketUpdatedEvent['data'], tx: Db<OrdersSchema>): Promise<void> {
    await new TicketCopies(tx).apply(data);
  }
}
