import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { jetstreamManager } from '@nats-io/jetstream';
import { createLogger, NatsWrapper, signSessionToken, type OutboxRelay } from '@ticketing/common';
import {
  createTestDatabase,
  startNatsServer,
  waitFor,
  type TestDatabase,
  type TestNatsServer,
} from '@ticketing/common/testing';
import { buildApp } from '../src/app';
import { migrationsFolder } from '../src/db/migrations-folder';
import { schema, type TicketsSchema } from '../src/db/schema';
import { createTicketRelay, relayReadiness } from '../src/events/ticket-relay';
import { TicketCreatedPublisher } from '../src/events/ticket-created-publisher';
import { TicketUpdatedPublisher } from '../src/events/ticket-updated-publisher';

export const JWT_KEY = 'test-jwt-key-0123456789abcdef';
export const STREAM = 'ticketing';
export const logger = createLogger('tickets-test', 'silent');

/** Everything one test file needs: the real app on a fresh database, a real nats-server, the relay. */
export interface TicketsContext {
  app: Express;
  database: TestDatabase<TicketsSchema>;
  nats: NatsWrapper;
  server: TestNatsServer;
  relay: OutboxRelay;
  close(): Promise<void>;
}

export async function startTickets({ relayIntervalMs = 200 } = {}): Promise<TicketsContext> {
  const [server, database] = await Promise.all([startNatsServer(), createTestDatabase({ schema, migrationsFolder })]);
  const nats = new NatsWrapper();
  await nats.connect(STREAM, `tickets-test-${randomUUID()}`, server.url, { logger, reconnectTimeWait: 100 });
  const relay = createTicketRelay({ database, nats, logger, intervalMs: relayIntervalMs });
  relay.start();
  const app = buildApp({
    database,
    logger,
    jwtKey: JWT_KEY,
    cookieSecure: false,
    onEventsQueued: () => relay.kick(),
    readiness: relayReadiness(nats, relay),
  });
  return {
    app,
    database,
    nats,
    server,
    relay,
    async close() {
      await relay.stop();
      await nats.close();
      await Promise.all([database.close(), server.destroy()]);
    },
  };
}

/** A session cookie for a user, as auth would set it (the reference design's `signin()`). */
export function signin(user: { id?: string; email?: string } = {}): string[] {
  const token = signSessionToken({ id: user.id ?? randomUUID(), email: user.email ?? 'test@test.com' }, JWT_KEY, 3600);
  return [`session=${Buffer.from(JSON.stringify({ jwt: token })).toString('base64')}`];
}

/** One stored message: its subject, sequence, body and message id. */
export interface StoredEvent {
  subject: string;
  seq: number;
  data: { id: string; version: number; title: string; price: number; userId: string };
  msgId?: string;
}

/** Reads every message the stream holds, in stream order (the bus as a listener would see it). */
export async function storedEvents(nats: NatsWrapper): Promise<StoredEvent[]> {
  const jsm = await jetstreamManager(nats.client);
  const { state } = await jsm.streams.info(STREAM);
  const events: StoredEvent[] = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const message = await jsm.streams.getMessage(STREAM, { seq });
    if (!message) continue;
    events.push({
      subject: message.subject,
      seq: message.seq,
      data: message.json(),
      msgId: message.header?.get('Nats-Msg-Id'),
    });
  }
  return events;
}

/** Waits until the stream holds `count` messages, then returns them. */
export async function waitForEvents(nats: NatsWrapper, count: number, timeoutMs = 10_000): Promise<StoredEvent[]> {
  let last: StoredEvent[] = [];
  await waitFor(
    async () => {
      last = await storedEvents(nats);
      return last.length >= count;
    },
    { timeoutMs, message: `${count} events in the stream` },
  );
  return last;
}

/** Waits until the stream holds `count` events about one ticket, then returns them in stream order. */
export async function waitForTicketEvents(nats: NatsWrapper, ticketId: string, count: number): Promise<StoredEvent[]> {
  let found: StoredEvent[] = [];
  await waitFor(
    async () => {
      found = (await storedEvents(nats)).filter((event) => event.data.id === ticketId);
      return found.length >= count;
    },
    { message: `${count} events for ticket ${ticketId}` },
  );
  return found;
}

/** Publishes outbox rows through the service's typed publishers, for relays a test builds itself. */
export function publishersOf(context: TicketsContext) {
  const created = new TicketCreatedPublisher(context.nats.client);
  const updated = new TicketUpdatedPublisher(context.nats.client);
  return (subject: string, data: unknown, msgId: string) =>
    (subject === 'ticket:created' ? created : updated).publish(data as never, { msgId });
}
