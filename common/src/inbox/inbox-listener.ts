import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Database, Db } from '../db/open-database';
import type { Event } from '../events/event-contracts';
import { Listener, type MessageContext } from '../events/listener';
import { handleOnce } from './handle-once';

/** What a handler asks to be done once its transaction has committed. */
export type AfterCommit = () => void;

/**
 * A listener whose handler runs in one transaction of the service's database with the
 * inbox row of its message (see `handleOnce`): the first delivery takes effect, events it
 * enqueues commit with it, a redelivery does nothing. Subclasses write `handle`; every
 * consumer of the services is one.
 */
export abstract class InboxListener<T extends Event, TSchema extends Record<string, unknown>> extends Listener<T> {
  constructor(
    client: NatsConnection,
    protected readonly database: Database<TSchema>,
    logger?: Logger,
  ) {
    super(client, logger);
  }

  /**
   * Applies the message's data in `tx`; throw to roll it back (see `Listener` for what
   * follows). It may resolve with what to do once the transaction has committed (wake a
   * worker, say), which a redelivery or a rollback never runs.
   */
  abstract handle(data: T['data'], tx: Db<TSchema>, context: MessageContext): Promise<void | AfterCommit>;

  async onMessage(data: T['data'], context: MessageContext): Promise<void> {
    const committed: { run?: void | AfterCommit } = {};
    await handleOnce(this.database.db, this.durableName, context.msgId, async (tx) => {
      committed.run = await this.handle(data, tx, context);
    });
    committed.run?.();
  }
}
