import type { NatsConnection } from '@nats-io/transport-node';
import { handleOnce, type Database } from '@ticketing/common/db';
import { Listener, Subjects, type MessageContext, type TicketCreatedEvent } from '@ticketing/common/events';
import type { Logger } from '@ticketing/common/service';
import type { OrdersSchema } from '../db/schema';
import { applyTicketVersion } from '../db/ticket-copy';

/** Adds a new ticket to orders' copy. */
export class TicketCreatedListener extends Listener<TicketCreatedEvent> {
  readonly subject = Subjects.TicketCreated;
  readonly queueGroupName = 'orders-service';

  constructor(
    client: NatsConnection,
    private readonly database: Database<OrdersSchema>,
    logger?: Logger,
  ) {
    super(client, logger);
  }

  async onMessage(data: TicketCreatedEvent['data'], { msgId }: MessageContext): Promise<void> {
    await handleOnce(this.database.db, this.durableName, msgId, async (tx) => {
      await applyTicketVersion(tx, data);
    });
  }
}
