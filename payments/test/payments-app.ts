import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { NatsWrapper } from '@ticketing/common';
import { OrderStatus, Subjects, type EventData } from '@ticketing/common/events';
import {
  publish,
  signin,
  startOnTestBus,
  waitFor,
  waitForConsumers,
  waitForEvents,
  type ServiceOnTestBus,
  type StoredEvent,
  type TestDatabase,
  type TestService,
} from '@ticketing/common/testing';
import { orders, payments, testProviderCharges, testProviderRefunds, type PaymentsSchema } from '../src/db/schema';
import { createPaymentsService, type PaymentsServiceOptions } from '../src/service';

/** Everything one test file needs: payments on a fresh database, its own nats-server. */
export type PaymentsContext = ServiceOnTestBus<PaymentsSchema>;

/** Starts payments as the service runner does (env overrides, e.g. PAYMENT_LEASE_SECONDS; a wrapped provider). */
export function startPayments(
  env: Record<string, string> = {},
  options: PaymentsServiceOptions = {},
): Promise<PaymentsContext> {
  return startOnTestBus(createPaymentsService(options), { env });
}

export { publish, signin };

/** An order:created body for a new order of `userId`. */
export function newOrder(fields: { userId?: string; price?: number } = {}): EventData<Subjects.OrderCreated> {
  return {
    id: randomUUID(),
    version: 0,
    status: OrderStatus.Created,
    userId: fields.userId ?? randomUUID(),
    expiresAt: new Date(Date.now() + 900_000).toISOString(),
    ticket: { id: randomUUID(), price: fields.price ?? 20 },
  };
}

/** Waits until payments' copy of the order is at `version`, and returns the row. */
export function copyAt(database: TestDatabase<PaymentsSchema>, id: string, version: number) {
  return waitFor(
    async () => {
      const [row] = await database.db.select().from(orders).where(eq(orders.id, id));
      return row?.version === version ? row : undefined;
    },
    { message: `order ${id} at version ${version} in payments' copy` },
  );
}

/** Places an order through the bus (as orders would) and waits until payments knows it. */
export async function placeOrder(ctx: PaymentsContext, fields: { userId?: string; price?: number } = {}) {
  const order = newOrder(fields);
  await publish(ctx.nats, Subjects.OrderCreated, order);
  await copyAt(ctx.database, order.id, 0);
  return order;
}

/** The order's payment row. */
export async function paymentRow(database: TestDatabase<PaymentsSchema>, orderId: string) {
  const [row] = await database.db.select().from(payments).where(eq(payments.orderId, orderId));
  return row;
}

/** Every charge the built-in test provider made or declined for the order. */
export function testCharges(database: TestDatabase<PaymentsSchema>, orderId: string) {
  return database.db.select().from(testProviderCharges).where(eq(testProviderCharges.orderId, orderId));
}

/** The charges the test provider made (succeeded) for the order. */
export async function successfulCharges(database: TestDatabase<PaymentsSchema>, orderId: string) {
  return (await testCharges(database, orderId)).filter((charge) => charge.outcome === 'succeeded');
}

/** The test provider's refunds of a charge. */
export function testRefunds(database: TestDatabase<PaymentsSchema>, chargeId: string) {
  return database.db.select().from(testProviderRefunds).where(eq(testProviderRefunds.chargeId, chargeId));
}

/** The payment events about one order, in stream order, once there are `count`. */
export function paymentEvents(nats: NatsWrapper, orderId: string, count: number): Promise<StoredEvent[]> {
  return waitForEvents(nats.client, count, {
    match: (event) => event.subject.startsWith('payment:') && event.data.orderId === orderId,
  });
}

/**
 * Waits until payments' listeners have handled every message the stream holds now: each is
 * acknowledged, so what it caused is committed, and nothing more will come of it.
 */
export async function handled(ctx: Pick<PaymentsContext, 'service' | 'nats'>): Promise<void> {
  await waitForConsumers(ctx.nats.client, {
    durables: ctx.service.listeners().map((listener) => listener.durableName),
  });
}

/**
 * Waits until payments' outbox has published every event queued so far (instances on one
 * database share it): what the stream holds afterwards is all the changes made so far say.
 */
export async function published(service: Pick<TestService<PaymentsSchema, unknown>, 'relay'>): Promise<void> {
  await waitFor(async () => (await service.relay!.pendingCount()) === 0, { message: "payments' outbox to empty" });
}
