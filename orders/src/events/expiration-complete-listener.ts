import type { NatsConnection } from '@nats-io/transport-node';
import { InboxListener, type Database, type Db } from '@ticketing/common/db';
import { Subjects, type ExpirationCompleteEvent } from '@ticketing/common/events';
import type { Logger } from '@ticketing/common/service';
import type { OrdersSchema } from '../db/schema';
import type { OrderService } from '../orders/order-service';

/** Cancels an order whose payment window closed, unless it was paid or cancelled already. */
export class ExpirationCompleteListener extends InboxListener<ExpirationCompleteEvent, OrdersSchema> {
  readonly subject = Subjects.ExpirationComplete;
  readonly queueGroupName = 'orders-service';

  constructor(
    client: NatsConnection,
    database: Database<OrdersSchema>,
    private readonly service: OrderService,
    logger?: Logger,
  ) {
    super(client, database, logger);
  }

  async handle({ orderId }: ExpirationCompleteEvent['data'], tx: Db<OrdersSchema>): Promise<void> {
    const cancelled = await this.service.expire(tx, orderId);
    this.logger.info(
      { orderId, cancelled: Boolean(cancelled) },
      cancelled ? 'order expired' : 'expiry ignored: order not awaiting payment',
    );
  }
}
