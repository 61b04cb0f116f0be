import { Subjects, type Event, type Listener } from '@ticketing/common/events';
import { createLogger, type NatsWrapper, type OutboxRelay } from '@ticketing/common';
import { publishThrough } from '@ticketing/common/db';
import {
  signin,
  startOnTestBus,
  storedEvents as storedIn,
  waitForEvents as waitForStored,
  type ServiceOnTestBus,
  type StoredEvent,
} from '@ticketing/common/testing';
import type { TicketsSchema } from '../src/db/schema';
import { ticketsService } from '../src/service';

export const logger = createLogger('tickets-test', 'silent');

/** Everything one test file needs: the real service on a fresh database, a real nats-server, its relay. */
export interface TicketsContext extends ServiceOnTestBus<TicketsSchema> {
  relay: OutboxRelay;
  /** The service's listener of `subject`, to follow what becomes of the messages it handles. */
  listener(subject: Subjects): Listener<Event>;
}

/** Starts tickets as the service runner does, against its own nats-server. */
export async function startTickets(): Promise<TicketsContext> {
  const context = await startOnTestBus(ticketsService);
  const { service } = context;
  return {
    ...context,
    relay: service.relay!,
    listener(subject) {
      const found = service.listeners().find((listener) => listener.subject === subject);
      if (!found) throw new Error(`tickets does not listen to ${subject}`);
      return found;
    },
  };
}

/**
 * Waits until tickets has handled every message the stream holds now and the relay has
 * published every event that queued (see `ServiceOnTestBus.settled`).
 */
export function settled(context: TicketsContext): Promise<void> {
  return context.settled();
}

export { signin };

/** Every message the stream holds, in stream order. */
export function storedEvents(nats: NatsWrapper): Promise<StoredEvent[]> {
  return storedIn(nats.client);
}

/** Waits until the stream holds `count` events, then returns them in stream order. */
export function waitForEvents(nats: NatsWrapper, count: number, timeoutMs = 10_000): Promise<StoredEvent[]> {
  return waitForStored(nats.client, count, { timeoutMs });
}

/** Waits until the stream holds `count` events about one ticket, then returns them in stream order. */
export function waitForTicketEvents(nats: NatsWrapper, ticketId: string, count: number): Promise<StoredEvent[]> {
  return waitForStored(nats.client, count, { match: (event) => event.data.id === ticketId });
}

/** The service's own publish, for relays a test builds itself. */
export function publishersOf(context: TicketsContext) {
  return publishThrough(context.nats, [Subjects.TicketCreated, Subjects.TicketUpdated]);
}
