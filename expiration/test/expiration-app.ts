import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { OrderStatus, publishEvent, Subjects, type EventData } from '@ticketing/common/events';
import {
  startOnTestBus,
  storedEvents,
  waitFor,
  waitForConsumers,
  type ServiceOnTestBus,
  type StoredEvent,
} from '@ticketing/common/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ExpirationSchema } from '../src/db/schema';
import { expirationService } from '../src/service';

/** expiration on a fresh database, polling every 100 ms, with its own nats-server. */
export type ExpirationContext = ServiceOnTestBus<ExpirationSchema>;

export const POLL_MS = 100;

export function startExpiration(): Promise<ExpirationContext> {
  return startOnTestBus(expirationService, { env: { EXPIRATION_POLL_MS: String(POLL_MS) } });
}

/** An order:created body for an order expiring `inMs` from now. */
export function orderCreated(inMs: number, id = randomUUID()): EventData<Subjects.OrderCreated> {
  return {
    id,
    version: 0,
    status: OrderStatus.Created,
    userId: randomUUID(),
    expiresAt: new Date(Date.now() + inMs).toISOString(),
    ticket: { id: randomUUID(), price: 10 },
  };
}

/** Publishes an event as its owning service would. */
export function publish<S extends Subjects>(nc: NatsConnection, subject: S, data: EventData<S>): Promise<number> {
  return publishEvent(jetstream(nc), subject, data);
}

/** Every expiration:complete in the stream, with when the stream stored it. */
export async function firedExpirations(nc: NatsConnection): Promise<(StoredEvent & { storedAt: number })[]> {
  const events = await storedEvents(nc, { subjects: [Subjects.ExpirationComplete] });
  const jsm = await (await import('@nats-io/jetstream')).jetstreamManager(nc);
  return Promise.all(
    events.map(async (event) => {
      const message = await jsm.streams.getMessage('ticketing', { seq: event.seq });
      return { ...event, storedAt: message!.time.getTime() };
    }),
  );
}

/**
 * Waits for a pass of the poller that began at `dueAt` or later (now by default), and for
 * everything it fired to be published. It schedules a fence, an order of its own due at
 * `dueAt`, and waits until expiration has handled every order event in the stream, the
 * fence has fired, and the outbox is empty. The pass that fired the fence fired every row
 * due by `dueAt` that was still to fire (earliest first): whatever has not fired by then
 * never will, and whatever fired is in the stream. Resolves with the fence's order id.
 */
export async function pollPassed(
  ctx: Pick<ExpirationContext, 'service' | 'nats'>,
  dueAt = Date.now(),
): Promise<string> {
  const fence = { ...orderCreated(0), expiresAt: new Date(dueAt).toISOString() };
  await publish(ctx.nats.client, Subjects.OrderCreated, fence);
  await waitForConsumers(ctx.nats.client, {
    durables: ctx.service.listeners().map((listener) => listener.durableName),
  });
  await waitFor(async () => (await firedExpirations(ctx.nats.client)).some((e) => e.data.orderId === fence.id), {
    message: 'the fence order to fire',
  });
  await waitFor(async () => (await ctx.service.relay!.pendingCount()) === 0, {
    message: "expiration's outbox to empty",
  });
  return fence.id;
}
