import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Database, Db } from '../db/open-database';
import type { Event } from '../events/event-contracts';
import { Listener, type MessageContext } from '../events/listener';
import { handleOnce } from './handle-once';

/**
 * A listener whose handler runs in one transaction of the service's database with the
 * inbox row of its message (see `handleOnce`): the first delivery takes effect, events it
 * enqueues commit with it, a redelivery does nothing. Subclasses write `handle`.
 */
export abstract class InboxListener<T extends Event, TSchema extends Record<string, unknown>> extends Listener<T> {
  constructor(
    client: NatsConnection,
    protected readonly database: Database<TSchema>,
    logger?: Logger,
  ) {
    super(client, logger);
  }

  /** Applies the message's data in `tx`; throw to roll it back (see `Listener` for what follows). */
  abstract handle(data: T['data'], tx: Db<TSchema>, context: MessageContext): Promise<void>;

  async onMessage(data: T['data'], context: MessageContext): Promise<void> {
    await handleOnce(this.database.db, this.durableName, context.msgId, (tx) => this.handle(data, tx, context));
  }
}
