import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { eq } from 'drizzle-orm';
import { jetstream } from '@nats-io/jetstream';
import type { NatsWrapper } from '@ticketing/common';
import { publishEvent, Subjects, type EventData } from '@ticketing/common/events';
import {
  sessionCookie,
  startNatsServer,
  startTestService,
  TEST_JWT_KEY,
  waitFor,
  waitForConsumers,
  waitForEvents,
  type StoredEvent,
  type TestDatabase,
  type TestNatsServer,
  type TestService,
} from '@ticketing/common/testing';
import { tickets, type OrdersSchema } from '../src/db/schema';
import { ordersService } from '../src/service';

/** Everything one test file needs: orders on a fresh database, its own nats-server. */
export interface OrdersContext {
  /** The listening server, for supertest. */
  app: Server;
  service: TestService<OrdersSchema, unknown>;
  database: TestDatabase<OrdersSchema>;
  /** The test's own connection to the bus, not the service's: it may publish any subject and read the stream. */
  nats: NatsWrapper;
  server: TestNatsServer;
  close(): Promise<void>;
}

/** Starts orders as the service runner does (env overrides e.g. EXPIRATION_WINDOW_SECONDS). */
export async function startOrders(env: Record<string, string> = {}): Promise<OrdersContext> {
  const server = await startNatsServer();
  const service = await startTestService(ordersService, { nats: server, env });
  // The test's own user: it publishes as any service would, and reads the whole stream.
  const bus = await server.wrapper();
  return {
    app: service.server,
    service,
    database: service.database,
    nats: bus,
    server,
    async close() {
      await service.close();
      await bus.close();
      await server.destroy();
    },
  };
}

/** A session cookie for a user. */
export function signin(user: { id?: string; email?: string } = {}): string[] {
  return sessionCookie(TEST_JWT_KEY, user);
}

/** Publishes a ticket's event as the tickets service would. */
export function publish<S extends Subjects>(nats: NatsWrapper, subject: S, data: EventData<S>): Promise<number> {
  return publishEvent(jetstream(nats.client), subject, data);
}

/** A ticket:created body for a new ticket. */
export function newTicket(fields: Partial<EventData<Subjects.TicketCreated>> = {}): EventData<Subjects.TicketCreated> {
  return { id: randomUUID(), version: 0, title: 'Concert', price: 20, userId: randomUUID(), ...fields };
}

/** Waits until orders' copy of the ticket is at `version`, and returns the row. */
export async function copyAt(database: TestDatabase<OrdersSchema>, id: string, version: number) {
  return waitFor(
    async () => {
      const [row] = await database.db.select().from(tickets).where(eq(tickets.id, id));
      return row?.version === version ? row : undefined;
    },
    { message: `ticket ${id} at version ${version} in orders' copy` },
  );
}

/** Lists a ticket through the bus and waits until orders knows it. */
export async function listTicket(ctx: OrdersContext, fields: Partial<EventData<Subjects.TicketCreated>> = {}) {
  const ticket = newTicket(fields);
  await publish(ctx.nats, Subjects.TicketCreated, ticket);
  await copyAt(ctx.database, ticket.id, 0);
  return ticket;
}

/** The events about one order, in stream order, once there are `count`. */
export function orderEvents(nats: NatsWrapper, orderId: string, count: number): Promise<StoredEvent[]> {
  return waitForEvents(nats.client, count, {
    match: (event) => event.subject.startsWith('order:') && event.data.id === orderId,
  });
}

/**
 * Waits until orders is done with everything the stream holds now: its consumers have
 * acknowledged every message (so what each caused is committed), and its outbox has published
 * every event those changes queued. What the database and the stream say afterwards is all
 * those messages will ever cause; a test shows that something did not happen with it.
 */
export async function settled(ctx: OrdersContext): Promise<void> {
  await waitForConsumers(ctx.nats.client, {
    durables: ctx.service.listeners().map((listener) => listener.durableName),
  });
  await waitFor(async () => (await ctx.service.relay!.pendingCount()) === 0, { message: "orders' outbox to empty" });
}
