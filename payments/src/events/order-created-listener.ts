import type { NatsConnection } from '@nats-io/transport-node';
import { handleOnce, type Database } from '@ticketing/common/db';
import { Listener, Subjects, type MessageContext, type OrderCreatedEvent } from '@ticketing/common/events';
import type { Logger } from '@ticketing/common/service';
import { applyOrderCreated } from '../db/order-copy';
import type { PaymentsSchema } from '../db/schema';
import { QUEUE_GROUP } from './queue-group';

/** Adds a new order, with the price to charge, to payments' copy. */
export class OrderCreatedListener extends Listener<OrderCreatedEvent> {
  readonly subject = Subjects.OrderCreated;
  readonly queueGroupName = QUEUE_GROUP;

  constructor(
    client: NatsConnection,
    private readonly database: Database<PaymentsSchema>,
    logger?: Logger,
  ) {
    super(client, logger);
  }

  async onMessage(order: OrderCreatedEvent['data'], { msgId }: MessageContext): Promise<void> {
    await handleOnce(this.database.db, this.durableName, msgId, async (tx) => {
      await applyOrderCreated(tx, order);
    });
  }
}
