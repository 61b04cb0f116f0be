import { InboxListener, type Db } from '@ticketing/common/db';
import { Subjects, type OrderCreatedEvent } from '@ticketing/common/events';
import { OrderCopies } from '../db/order-copy';
import type { PaymentsSchema } from '../db/schema';
import { QUEUE_GROUP } from './queue-group';

/** Adds a new order, with the price to charge, to payments' copy. */
export class OrderCreatedListener extends InboxListener<OrderCreatedEvent, PaymentsSchema> {
  readonly subject = Subjects.OrderCreated;
  readonly queueGroupName = QUEUE_GROUP;

  async handle(order: OrderCreatedEvent['data'], tx: Db<PaymentsSchema>): Promise<void> {
    await new OrderCopies(tx).applyCreated(order);
  }
}
