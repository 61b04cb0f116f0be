import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  JetStreamApiError,
  type ConsumerMessages,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { createLogger } from '../logger/logger';
import type { Event } from './base-event';

const CONSUMER_NOT_FOUND = 10014;

const activeListeners = new Map<NatsConnection, Set<Listener<Event>>>();

/** Stops every listener on a connection and waits for their in-flight handlers (used before a drain). */
export async function stopListeners(client: NatsConnection): Promise<void> {
  const listeners = [...(activeListeners.get(client) ?? [])];
  await Promise.all(listeners.map((listener) => listener.close()));
}

/**
 * Receives one subject through a durable pull consumer named `<queueGroupName>-<subject>`
 * (explicit ack, deliver all, `ackWait` before redelivery). Every instance of a service
 * pulls from the same consumer in small batches, so each message goes to one instance
 * and all instances get work. `onMessage` acks the message when it has succeeded; a
 * message it does not ack, or whose handler throws, comes back after `ackWait`.
 */
export abstract class Listener<T extends Event> {
  abstract readonly subject: T['subject'];
  abstract readonly queueGroupName: string;
  /** Milliseconds an unacknowledged message waits before it is delivered again. */
  readonly ackWait: number = 5_000;
  /** How many messages one instance holds at a time; small, so instances share work. */
  readonly batchSize: number = 5;

  abstract onMessage(data: T['data'], msg: JsMsg): void | Promise<void>;

  protected readonly logger: Logger;
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private closed = false;

  constructor(
    protected readonly client: NatsConnection,
    logger?: Logger,
  ) {
    this.logger = logger ?? createLogger('listener');
  }

  /** The durable consumer's name, shared by every instance of the queue group. */
  get durableName(): string {
    return `${this.queueGroupName}-${this.subject}`;
  }

  /** Decodes a message's JSON body; override to validate. */
  parseMessage(msg: JsMsg): T['data'] {
    return msg.json<T['data']>();
  }

  /** Creates or updates the durable consumer, then handles messages in the background until `close()`. */
  async listen(): Promise<void> {
    const jsm = await jetstreamManager(this.client);
    const stream = await jsm.streams.find(this.subject);
    const config = {
      durable_name: this.durableName,
      filter_subject: this.subject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(this.ackWait),
    };
    try {
      const info = await jsm.consumers.info(stream, this.durableName);
      if (info.config.ack_wait !== config.ack_wait || info.config.filter_subject !== config.filter_subject) {
        await jsm.consumers.update(stream, this.durableName, {
          ack_wait: config.ack_wait,
          filter_subject: config.filter_subject,
        });
      }
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === CONSUMER_NOT_FOUND)) throw error;
      await jsm.consumers.add(stream, config);
    }

    const consumer = await jetstream(this.client).consumers.get(stream, this.durableName);
    this.messages = await consumer.consume({ max_messages: this.batchSize });
    let listeners = activeListeners.get(this.client);
    if (!listeners) activeListeners.set(this.client, (listeners = new Set()));
    listeners.add(this as Listener<Event>);
    this.logger.info({ subject: this.subject, durable: this.durableName, stream }, 'listening');

    const messages = this.messages;
    this.loop = (async () => {
      for await (const msg of messages) {
        await this.handle(msg);
        if (this.closed) break;
      }
    })().catch((error: unknown) => {
      this.logger.error({ err: error, subject: this.subject, durable: this.durableName }, 'listener stopped');
    });
  }

  private async handle(msg: JsMsg): Promise<void> {
    let data: T['data'];
    try {
      data = this.parseMessage(msg);
    } catch (error) {
      // A body that does not decode never will: stop its redelivery.
      this.logger.error({ err: error, subject: msg.subject, seq: msg.seq }, 'event discarded: cannot parse');
      msg.term();
      return;
    }
    try {
      await this.onMessage(data, msg);
    } catch (error) {
      this.logger.warn(
        { err: error, subject: msg.subject, seq: msg.seq, deliveryCount: msg.info.deliveryCount },
        'event handler failed; it will be redelivered',
      );
      msg.nak(this.ackWait);
    }
  }

  /** Stops pulling and waits for the message being handled to finish (and be acked). Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    activeListeners.get(this.client)?.delete(this as Listener<Event>);
    await this.messages?.close();
    await this.loop;
  }
}
