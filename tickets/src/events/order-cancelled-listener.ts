import type { NatsConnection } from '@nats-io/transport-node';
import { handleOnce, type Database } from '@ticketing/common/db';
import { Listener, Subjects, type MessageContext, type OrderCancelledEvent } from '@ticketing/common/events';
import type { Logger } from '@ticketing/common/service';
import type { TicketsSchema } from '../db/schema';
import { releaseTicket } from '../tickets/ticket-service';
import { applyOrderVersion } from './order-versions';

/** Frees the ticket of a cancelled order, if that order is the one holding it. */
export class OrderCancelledListener extends Listener<OrderCancelledEvent> {
  readonly subject = Subjects.OrderCancelled;
  readonly queueGroupName = 'tickets-service';

  constructor(
    client: NatsConnection,
    private readonly database: Database<TicketsSchema>,
    logger?: Logger,
  ) {
    super(client, logger);
  }

  async onMessage(order: OrderCancelledEvent['data'], { msgId }: MessageContext): Promise<void> {
    await handleOnce(this.database.db, this.durableName, msgId, async (tx) => {
      await applyOrderVersion(tx, order, () => releaseTicket(tx, order.ticket.id, order.id));
    });
  }
}
