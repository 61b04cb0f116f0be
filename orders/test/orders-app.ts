import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { NatsWrapper } from '@ticketing/common';
import { Subjects, type EventData } from '@ticketing/common/events';
import {
  publish,
  signin,
  startOnTestBus,
  waitFor,
  waitForEvents,
  type ServiceOnTestBus,
  type StoredEvent,
  type TestDatabase,
} from '@ticketing/common/testing';
import { tickets, type OrdersSchema } from '../src/db/schema';
import { ordersService } from '../src/service';

/** Everything one test file needs: orders on a fresh database, its own nats-server. */
export type OrdersContext = ServiceOnTestBus<OrdersSchema>;

/** Starts orders as the service runner does (env overrides e.g. EXPIRATION_WINDOW_SECONDS). */
export function startOrders(env: Record<string, string> = {}): Promise<OrdersContext> {
  return startOnTestBus(ordersService, { env });
}

export { publish, signin };

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

/** Waits until orders is done with everything the stream holds now (see `ServiceOnTestBus.settled`). */
export function settled(ctx: OrdersContext): Promise<void> {
  return ctx.settled();
}
