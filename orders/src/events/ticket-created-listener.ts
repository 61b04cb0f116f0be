import { InboxListener, type Db } from '@ticketing/common/db';
import { Subjects, type TicketCreatedEvent } from '@ticketing/common/events';
import type { OrdersSchema } from '../db/schema';
import { TicketCopies } from '../db/ticket-copy';

/** Adds a new ticket to orders' copy. */
export class TicketCreatedListener extends InboxListener<TicketCreatedEvent, OrdersSchema> {
  readonly subject = Subjects.TicketCreated;
  readonly queueGroupName = 'orders-service';

  async handle(data: TicketCreatedEvent['data'], tx: Db<OrdersSchema>): Promise<void> {
    await new TicketCopies(tx).apply(data);
  }
}
