import type { NatsConnection } from '@nats-io/transport-node';
import { handleOnce, type Database } from '@ticketing/common/db';
import { Listener, Subjects, type MessageContext, type TicketUpdatedEvent } from '@ticketing/common/events';
import type { Logger } from '@ticketing/common/service';
import type { OrdersSchema } from '../db/schema';
import { applyTicketVersion } from '../db/ticket-copy';

/** Applies a ticket's next version (an edit, a reservation, a release) to orders' copy, in version order. */
export class TicketUpdatedListener extends Listener<TicketUpdatedEvent> {
  readonly subject = Subjects.TicketUpdated;
  readonly queueGroupName = 'orders-service';

  constructor(
    client: NatsConnection,
    private readonly database: Database<OrdersSchema>,
    logger?: Logger,
  ) {
    super(client, logger);
  }

  async onMessage(data: TicketUpdatedEvent['data'], { msgId }: MessageContext): Promise<void> {
    await handleOnce(this.database.db, this.durableName, msgId, async (tx) => {
      await applyTicketVersion(tx, data);
    });
  }
}
