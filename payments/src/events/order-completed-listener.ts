import { InboxListener, type Db } from '@ticketing/common/db';
import { Subjects, type OrderCompletedEvent } from '@ticketing/common/events';
import { OrderCopies } from '../db/order-copy';
import type { PaymentsSchema } from '../db/schema';
import { QUEUE_GROUP } from './queue-group';

/** Marks the order complete (paid) in payments' copy. */
export class OrderCompletedListener extends InboxListener<OrderCompletedEvent, PaymentsSchema> {
  readonly subject = Subjects.OrderCompleted;
  readonly queueGroupName = QUEUE_GROUP;

  async handle(order: OrderCompletedEvent['data'], tx: Db<PaymentsSchema>): Promise<void> {
    await new OrderCopies(tx).applyStatus(order, 'complete');
  }
}
