import type { Server } from 'node:http';
import { Subjects, type Event, type Listener } from '@ticketing/common/events';
import { createLogger, type NatsWrapper, type OutboxRelay } from '@ticketing/common';
import { publishThrough } from '@ticketing/common/db';
import {
  sessionCookie,
  startNatsServer,
  startTestService,
  storedEvents as storedIn,
  TEST_JWT_KEY,
  waitFor,
  waitForConsumers,
  waitForEvents as waitForStored,
  type StoredEvent,
  type TestDatabase,
  type TestNatsServer,
} from '@ticketing/common/testing';
import type { TicketsSchema } from '../src/db/schema';
import { ticketsService } from '../src/service';

export const JWT_KEY = TEST_JWT_KEY;
export const logger = createLogger('tickets-test', 'silent');

/** Everything one test file needs: the real service on a fresh database, a real nats-server, its relay. */
export interface TicketsContext {
  /** The listening server, for supertest. */
  app: Server;
  database: TestDatabase<TicketsSchema>;
  /** The test's own connection to the bus, not the service's: it may publish any subject and read the stream. */
  nats: NatsWrapper;
  server: TestNatsServer;
  relay: OutboxRelay;
  /** The service's listener of `subject`, to follow what becomes of the messages it handles. */
  listener(subject: Subjects): Listener<Event>;
  close(): Promise<void>;
}

/** The durable consumers tickets listens through. */
const TICKETS_DURABLES = [Subjects.OrderCreated, Subjects.OrderCancelled, Subjects.OrderCompleted].map(
  (subject) => `tickets-service-${subject}`,
);

/** Starts tickets as the service runner does, against its own nats-server. */
export async function startTickets(): Promise<TicketsContext> {
  const server = await startNatsServer();
  const service = await startTestService(ticketsService, { nats: server });
  // The test's own user: it publishes as any service would, and reads the whole stream.
  const bus = await server.wrapper();
  return {
    app: service.server,
    database: service.database,
    nats: bus,
    server,
    relay: service.relay!,
    listener(subject) {
      const found = service.listeners().find((listener) => listener.subject === subject);
      if (!found) throw new Error(`tickets does not listen to ${subject}`);
      return found;
    },
    async close() {
      await service.close();
      await bus.close();
      await server.destroy();
    },
  };
}

/**
 * Waits until tickets has handled every message the stream holds now (acked or terminated
 * it, so its transaction has committed) and the relay has published every event that queued:
 * whatever those messages were going to change has changed, and the stream holds its events.
 */
export async function settled(context: TicketsContext): Promise<void> {
  await waitForConsumers(context.nats.client, { durables: TICKETS_DURABLES });
  await waitFor(async () => (await context.relay.pendingCount()) === 0, { message: 'an empty outbox' });
}

/** A session cookie for a user, as auth would set it. */
export function signin(user: { id?: string; email?: string } = {}): string[] {
  return sessionCookie(JWT_KEY, user);
}

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
