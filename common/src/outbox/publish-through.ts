import { publishEvent } from '../events/publisher';
import type { Subjects } from '../events/subjects';
import type { NatsWrapper } from '../nats/nats-wrapper';
import { isNoStreamError } from '../nats/stream';
import type { PublishFn } from './outbox-relay';
import { UnpublishableEventError } from './publish-errors';

/**
 * The relay's publish for a service that publishes `subjects`: each row is checked against
 * its contract and published with its id as `Nats-Msg-Id`. A publish that finds no stream
 * (deleted, or a server back without its store) recreates it, so the next pass re-sends the row.
 */
export function publishThrough(nats: NatsWrapper, subjects: readonly Subjects[]): PublishFn {
  const allowed = new Set<string>(subjects);
  return async (subject, data, msgId, headers) => {
    if (!allowed.has(subject)) throw new UnpublishableEventError(`this service does not publish ${subject}`);
    try {
      return await publishEvent(nats.jetstream, subject as Subjects, data as never, { msgId, headers });
    } catch (error) {
      if (isNoStreamError(error)) await nats.ensureStream().catch(() => undefined);
      throw error;
    }
  };
}
