import type { NatsConnection } from '@nats-io/transport-node';
import { InboxListener, type Database, type Db } from '@ticketing/common/db';
import { Subjects, type PaymentCreatedEvent } from '@ticketing/common/events';
import type { Logger } from '@ticketing/common/service';
import type { OrdersSchema } from '../db/schema';
import type { OrderService } from '../orders/order-service';

/** Completes a paid order, unless it was cancelled meanwhile (payments then refunds the charge). */
export class PaymentCreatedListener extends InboxListener<PaymentCreatedEvent, OrdersSchema> {
  readonly subject = Subjects.PaymentCreated;
  readonly queueGroupName = 'orders-service';

  constructor(
    client: NatsConnection,
    database: Database<OrdersSchema>,
    private readonly service: OrderService,
    logger?: Logger,
  ) {
    super(client, database, logger);
  }

  async handle({ orderId }: PaymentCreatedEvent['data'], tx: Db<OrdersSchema>): Promise<void> {
    const completed = await this.service.complete(tx, orderId);
    if (!completed) this.logger.warn({ orderId }, 'payment for an order not awaiting payment; left as it is');
  }
}
