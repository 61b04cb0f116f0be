import type { NatsConnection } from '@nats-io/transport-node';
import { handleOnce, type Database } from '@ticketing/common/db';
import {
  Listener,
  Subjects,
  type MessageContext,
  type OrderCancelledEvent,
  type OrderCompletedEvent,
  type OrderCreatedEvent,
} from '@ticketing/common/events';
import type { Logger } from '@ticketing/common/service';
import type { ExpirationSchema } from '../db/schema';
import { dropExpiration, scheduleExpiration } from '../schedule/schedule';

const QUEUE_GROUP = 'expiration-service';

/** Schedules a new order's expiry at its `expiresAt`. */
export class OrderCreatedListener extends Listener<OrderCreatedEvent> {
  readonly subject = Subjects.OrderCreated;
  readonly queueGroupName = QUEUE_GROUP;

  constructor(
    client: NatsConnection,
    private readonly database: Database<ExpirationSchema>,
    logger?: Logger,
  ) {
    super(client, logger);
  }

  async onMessage(order: OrderCreatedEvent['data'], { msgId }: MessageContext): Promise<void> {
    await handleOnce(this.database.db, this.durableName, msgId, async (tx) => {
      await scheduleExpiration(tx, order);
    });
  }
}

/** Drops the expiry of an order the buyer cancelled. */
export class OrderCancelledListener extends Listener<OrderCancelledEvent> {
  readonly subject = Subjects.OrderCancelled;
  readonly queueGroupName = QUEUE_GROUP;

  constructor(
    client: NatsConnection,
    private readonly database: Database<ExpirationSchema>,
    logger?: Logger,
  ) {
    super(client, logger);
  }

  async onMessage(order: OrderCancelledEvent['data'], { msgId }: MessageContext): Promise<void> {
    await handleOnce(this.database.db, this.durableName, msgId, async (tx) => {
      await dropExpiration(tx, order);
    });
  }
}

/** Drops the expiry of an order that was paid. */
export class OrderCompletedListener extends Listener<OrderCompletedEvent> {
  readonly subject = Subjects.OrderCompleted;
  readonly queueGroupName = QUEUE_GROUP;

  constructor(
    client: NatsConnection,
    private readonly database: Database<ExpirationSchema>,
    logger?: Logger,
  ) {
    super(client, logger);
  }

  async onMessage(order: OrderCompletedEvent['data'], { msgId }: MessageContext): Promise<void> {
    await handleOnce(this.database.db, this.durableName, msgId, async (tx) => {
      await dropExpiration(tx, order);
    });
  }
}
