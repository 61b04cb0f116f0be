import type { NatsConnection } from '@nats-io/transport-node';
import { handleOnce, type Database } from '@ticketing/common/db';
import { Listener, Subjects, type MessageContext, type PaymentCreatedEvent } from '@ticketing/common/events';
import type { Logger } from '@ticketing/common/service';
import type { OrdersSchema } from '../db/schema';
import { OrderService } from '../orders/order-service';

/** Completes a paid order, unless it was cancelled meanwhile (payments then refunds the charge). */
export class PaymentCreatedListener extends Listener<PaymentCreatedEvent> {
  readonly subject = Subjects.PaymentCreated;
  readonly queueGroupName = 'orders-service';

  constructor(
    client: NatsConnection,
    private readonly database: Database<OrdersSchema>,
    private readonly service: OrderService,
    logger?: Logger,
  ) {
    super(client, logger);
  }

  async onMessage({ orderId }: PaymentCreatedEvent['data'], { msgId }: MessageContext): Promise<void> {
    await handleOnce(this.database.db, this.durableName, msgId, async (tx) => {
      const completed = await this.service.complete(tx, orderId);
      if (!completed) this.logger.warn({ orderId }, 'payment for an order not awaiting payment; left as it is');
    });
  }
}
