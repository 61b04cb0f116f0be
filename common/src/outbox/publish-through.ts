import type { NatsConnection } from '@nats-io/transport-node';
import type { Event } from '../events/base-event';
import type { Publisher } from '../events/publisher';
import type { NatsWrapper } from '../nats/nats-wrapper';
import { isNoStreamError } from '../nats/stream';
import type { PublishFn } from './outbox-relay';

/**
 * The relay's publish for a service: each outbox row goes out through the typed publisher
 * of its subject, made once NATS is connected. A publish that finds no stream (deleted,
 * or a server back without its store) recreates it, so the next pass re-sends the row.
 */
export function publishThrough(
  nats: NatsWrapper,
  makePublishers: (client: NatsConnection) => Publisher<Event>[],
): PublishFn {
  let bySubject: Map<string, Publisher<Event>> | undefined;
  return async (subject, data, msgId) => {
    bySubject ??= new Map(makePublishers(nats.client).map((publisher) => [publisher.subject, publisher]));
    const publisher = bySubject.get(subject);
    if (!publisher) throw new Error(`no publisher for subject ${subject}`);
    try {
      return await publisher.publish(data, { msgId });
    } catch (error) {
      if (isNoStreamError(error)) await nats.ensureStream().catch(() => undefined);
      throw error;
    }
  };
}
