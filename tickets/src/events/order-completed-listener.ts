import type { NatsConnection } from '@nats-io/transport-node';
import { handleOnce, type Database } from '@ticketing/common/db';
import { Listener, Subjects, type MessageContext, type OrderCompletedEvent } from '@ticketing/common/events';
import type { Logger } from '@ticketing/common/service';
import type { TicketsSchema } from '../db/schema';
import { sellTicket } from '../tickets/ticket-service';
import { applyOrderVersion } from './order-versions';

/** Marks the ticket of a paid order sold: its next version, and a ticket:updated that says so. */
export class OrderCompletedListener extends Listener<OrderCompletedEvent> {
  readonly subject = Subjects.OrderCompleted;
  readonly queueGroupName = 'tickets-service';

  constructor(
    client: NatsConnection,
    private readonly database: Database<TicketsSchema>,
    logger?: Logger,
  ) {
    super(client, logger);
  }

  async onMessage(order: OrderCompletedEvent['data'], { msgId }: MessageContext): Promise<void> {
    await handleOnce(this.database.db, this.durableName, msgId, async (tx) => {
      await applyOrderVersion(tx, order, () => sellTicket(tx, order.ticket.id, order.id));
    });
  }
}
