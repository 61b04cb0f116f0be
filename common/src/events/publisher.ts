import { randomUUID } from 'node:crypto';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Event } from './base-event';

/** Options of one publish: `msgId` becomes `Nats-Msg-Id`, so a re-sent event is stored once. */
export interface PublishOptions {
  msgId?: string;
}

/**
 * Publishes one kind of event to JetStream. Subclasses fix `subject`; `publish` resolves
 * with the stream sequence once the server has stored the message (the same sequence
 * again when the message id was a duplicate).
 */
export abstract class Publisher<T extends Event> {
  abstract readonly subject: T['subject'];
  protected readonly js: JetStreamClient;

  constructor(client: NatsConnection) {
    this.js = jetstream(client);
  }

  async publish(data: T['data'], options: PublishOptions = {}): Promise<number> {
    const ack = await this.js.publish(this.subject, JSON.stringify(data), {
      msgID: options.msgId ?? randomUUID(),
    });
    return ack.seq;
  }
}
