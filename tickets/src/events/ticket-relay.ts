import { OutboxRelay, publishThrough, type Database, type Logger, type NatsWrapper } from '@ticketing/common';
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
  return new OutboxRelay({
    database,
    logger,
    intervalMs,
    isReady: () => nats.isConnected,
    publish: publishThrough(nats, (client) => [new TicketCreatedPublisher(client), new TicketUpdatedPublisher(client)]),
  });
}

/** What `/readyz` reports beside the database: NATS always, the backlog when it can be counted. */
export function relayReadiness(nats: NatsWrapper, relay: OutboxRelay) {
  return async () => ({ nats: nats.state, outboxPending: await relay.pendingCount().catch(() => null) });
}
