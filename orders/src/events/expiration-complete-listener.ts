import type { NatsConnection } from '@nats-io/transport-node';
import { handleOnce, type Database } from '@ticketing/common/db';
import { Listener, Subjects, type ExpirationCompleteEvent, type MessageContext } from '@ticketing/common/events';
import type { Logger } from '@ticketing/common/service';
import type { OrdersSchema } from '../db/schema';
import { OrderService } from '../orders/order-service';

/** Cancels an order whose payment window closed, unless it was paid or cancelled already. */
export class ExpirationCompleteListener extends Listener<ExpirationCompleteEvent> {
  readonly subject = Subjects.ExpirationComplete;
  readonly queueGroupName = 'orders-service';

  constructor(
    client: NatsConnection,
    private readonly database: Database<OrdersSchema>,
    private readonly service: OrderService,
    logger?: Logger,
  ) {
    super(client, logger);
  }

  async onMessage({ orderId }: ExpirationCompleteEvent['data'], { msgId }: MessageContext): Promise<void> {
    await handleOnce(this.database.db, this.durableName, msgId, async (tx) => {
      const cancelled = await this.service.expire(tx, orderId);
      this.logger.info(
        { orderId, cancelled: Boolean(cancelled) },
        cancelled ? 'order expired' : 'expiry ignored: order not awaiting payment',
      );
    });
  }
}
