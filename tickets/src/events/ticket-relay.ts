import {
  isNoStreamError,
  OutboxRelay,
  Subjects,
  type Database,
  type Logger,
  type NatsWrapper,
} from '@ticketing/common';
import type { TicketsSchema } from '../db/schema';
import { TicketCreatedPublisher } from './ticket-created-publisher';
import { TicketUpdatedPublisher } from './ticket-updated-publisher';

/** How the relay reaches the database and the bus. */
export interface TicketRelayOptions {
  database: Database<TicketsSchema>;
  nats: NatsWrapper;
  logger: Logger;
  intervalMs?: number;
}

/**
 * The outbox relay of the tickets service: publishes queued events through the typed
 * publishers once NATS is connected, and waits (rows stay queued) while it is not.
 */
export function createTicketRelay({ database, nats, logger, intervalMs }: TicketRelayOptions): OutboxRelay {
  let publishers: {
    [Subjects.TicketCreated]: TicketCreatedPublisher;
    [Subjects.TicketUpdated]: TicketUpdatedPublisher;
  };
  return new OutboxRelay({
    database,
    logger,
    intervalMs,
    isReady: () => nats.isConnected,
    publish: (subject, data, msgId) => {
      publishers ??= {
        [Subjects.TicketCreated]: new TicketCreatedPublisher(nats.client),
        [Subjects.TicketUpdated]: new TicketUpdatedPublisher(nats.client),
      };
      const publisher = publishers[subject as Subjects];
      if (!publisher) throw new Error(`no publisher for subject ${subject}`);
      return publisher.publish(data as never, { msgId }).catch(async (error: unknown) => {
        // No stream answers for the subject (deleted, or a server without its store):
        // recreate it so the next pass, which re-sends this row, succeeds.
        if (isNoStreamError(error)) {
          await nats.ensureStream().catch(() => undefined);
        }
        throw error;
      });
    },
  });
}

/** What `/readyz` reports beside the database: NATS always, the backlog when it can be counted. */
export function relayReadiness(nats: NatsWrapper, relay: OutboxRelay) {
  return async () => ({ nats: nats.state, outboxPending: await relay.pendingCount().catch(() => null) });
}
