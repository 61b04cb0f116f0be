import { InboxListener, type Db } from '@ticketing/common/db';
import { Subjects, type OrderCancelledEvent } from '@ticketing/common/events';
import type { TicketsSchema } from '../db/schema';
import { releaseTicket } from '../tickets/ticket-service';
import { OrderVersions } from '../db/order-versions';

/** Frees the ticket of a cancelled order, if that order is the one holding it. */
export class OrderCancelledListener extends InboxListener<OrderCancelledEvent, TicketsSchema> {
  readonly subject = Subjects.OrderCancelled;
  readonly queueGroupName = 'tickets-service';

  async handle(order: OrderCancelledEvent['data'], tx: Db<TicketsSchema>): Promise<void> {
    await new OrderVersions(tx).apply(order, () => releaseTicket(tx, order.ticket.id, order.id));
  }
}
