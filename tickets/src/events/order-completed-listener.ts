import { InboxListener, type Db } from '@ticketing/common/db';
import { Subjects, type OrderCompletedEvent } from '@ticketing/common/events';
import type { TicketsSchema } from '../db/schema';
import { sellTicket } from '../tickets/ticket-service';
import { OrderVersions } from '../db/order-versions';

/** Marks the ticket of a paid order sold: its next version, and a ticket:updated that says so. */
export class OrderCompletedListener extends InboxListener<OrderCompletedEvent, TicketsSchema> {
  readonly subject = Subjects.OrderCompleted;
  readonly queueGroupName = 'tickets-service';

  async handle(order: OrderCompletedEvent['data'], tx: Db<TicketsSchema>): Promise<void> {
    await new OrderVersions(tx).apply(order, () => sellTicket(tx, order.ticket.id, order.id));
  }
}
