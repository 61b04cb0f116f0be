import { InboxListener, type Db } from '@ticketing/common/db';
import {
  Subjects,
  type OrderCancelledEvent,
  type OrderCompletedEvent,
  type OrderCreatedEvent,
} from '@ticketing/common/events';
import type { ExpirationSchema } from '../db/schema';
import { Schedule } from '../db/schedule';

const QUEUE_GROUP = 'expiration-service';

/** Schedules a new order's expiry at its `expiresAt`. */
export class OrderCreatedListener extends InboxListener<OrderCreatedEvent, ExpirationSchema> {
  readonly subject = Subjects.OrderCreated;
  readonly queueGroupName = QUEUE_GROUP;

  async handle(order: OrderCreatedEvent['data'], tx: Db<ExpirationSchema>): Promise<void> {
    await new Schedule(tx).add(order);
  }
}

/** Drops the expiry of an order the buyer cancelled. */
export class OrderCancelledListener extends InboxListener<OrderCancelledEvent, ExpirationSchema> {
  readonly subject = Subjects.OrderCancelled;
  readonly queueGroupName = QUEUE_GROUP;

  async handle(order: OrderCancelledEvent['data'], tx: Db<ExpirationSchema>): Promise<void> {
    await new Schedule(tx).drop(order);
  }
}

/** Drops the expiry of an order that was paid. */
export class OrderCompletedListener extends InboxListener<OrderCompletedEvent, ExpirationSchema> {
  readonly subject = Subjects.OrderCompleted;
  readonly queueGroupName = QUEUE_GROUP;

  async handle(order: OrderCompletedEvent['data'], tx: Db<ExpirationSchema>): Promise<void> {
    await new Schedule(tx).drop(order);
  }
}
