import type { NatsConnection } from '@nats-io/transport-node';
import { handleOnce, type Database } from '@ticketing/common/db';
import { Listener, Subjects, type MessageContext, type OrderCompletedEvent } from '@ticketing/common/events';
import type { Logger } from '@ticketing/common/service';
import { applyOrderStatus } from '../db/order-copy';
import type { PaymentsSchema } from '../db/schema';
import { QUEUE_GROUP } from './queue-group';

/** Marks the order complete (paid) in payments' copy. */
export class OrderCompletedListener extends Listener<OrderCompletedEvent> {
  readonly subject = Subjects.OrderCompleted;
  readonly queueGroupName = QUEUE_GROUP;

  constructor(
    client: NatsConnection,
    private readonly database: Database<PaymentsSchema>,
    logger?: Logger,
  ) {
    super(client, logger);
  }

  async onMessage(order: OrderCompletedEvent['data'], { msgId }: MessageContext): Promise<void> {
    await handleOnce(this.database.db, this.durableName, msgId, async (tx) => {
      await applyOrderStatus(tx, order, 'complete');
    });
  }
}
