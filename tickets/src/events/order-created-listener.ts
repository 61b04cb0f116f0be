import { InboxListener, type Db } from '@ticketing/common/db';
import { PermanentEventError, RetryLaterError, Subjects, type OrderCreatedEvent } from '@ticketing/common/events';
import { NotFoundError } from '@ticketing/common/http';
import type { TicketsSchema } from '../db/schema';
import { reserveTicket } from '../tickets/ticket-service';
import { OrderVersions } from '../db/order-versions';

/** Reserves the ordered ticket: it names the order, gets its next version and a ticket:updated. */
export class OrderCreatedListener extends InboxListener<OrderCreatedEvent, TicketsSchema> {
  readonly subject = Subjects.OrderCreated;
  readonly queueGroupName = 'tickets-service';

  async handle(order: OrderCreatedEvent['data'], tx: Db<TicketsSchema>): Promise<void> {
    await new OrderVersions(tx).apply(order, async () => {
      let reserved: boolean;
      try {
        reserved = await reserveTicket(tx, order.ticket.id, order.id);
      } catch (error) {
        if (error instanceof NotFoundError) throw new PermanentEventError(`no ticket ${order.ticket.id} here`);
        throw error;
      }
      // Orders lets one order hold a ticket at a time: the previous one's cancellation is on its way.
      if (!reserved) throw new RetryLaterError(`ticket ${order.ticket.id} is still held by an earlier order`);
    });
  }
}
