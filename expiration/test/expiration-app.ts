import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import type { NatsWrapper } from '@ticketing/common';
import { OrderStatus, publishEvent, Subjects, type EventData } from '@ticketing/common/events';
import {
  startNatsServer,
  startTestService,
  storedEvents,
  type StoredEvent,
  type TestNatsServer,
  type TestService,
} from '@ticketing/common/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ExpirationSchema } from '../src/db/schema';
import { expirationService } from '../src/service';

/** expiration on a fresh database, polling every 100 ms, with its own nats-server. */
export interface ExpirationContext {
  service: TestService<ExpirationSchema, unknown>;
  /** The test's own connection to the bus, not the service's: it may publish any subject and read the stream. */
  nats: NatsWrapper;
  server: TestNatsServer;
  close(): Promise<void>;
}

export const POLL_MS = 100;

export async function startExpiration(): Promise<ExpirationContext> {
  const server = await startNatsServer();
  const service = await startTestService(expirationService, {
    nats: server,
    env: { EXPIRATION_POLL_MS: String(POLL_MS) },
  });
  // The test's own user: it publishes as any service would, and reads the whole stream.
  const bus = await server.wrapper();
  return {
    service,
    nats: bus,
    server,
    async close() {
      await service.close();
      await bus.close();
      await server.destroy();
    },
  };
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
