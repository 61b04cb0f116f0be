import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import request from 'supertest';
import { jetstreamManager } from '@nats-io/jetstream';
import { Subjects } from '@ticketing/common/events';
import { waitFor } from '@ticketing/common/testing';
import { expirations } from '../src/db/schema';
import {
  firedExpirations,
  orderCreated,
  POLL_MS,
  pollPassed,
  publish,
  startExpiration,
  type ExpirationContext,
} from './expiration-app';

let ctx: ExpirationContext;

beforeAll(async () => {
  ctx = await startExpiration();
});

afterAll(async () => {
  await ctx.close();
});

async function scheduled(orderId: string) {
  return waitFor(async () => {
    const [row] = await ctx.service.database.db.select().from(expirations).where(eq(expirations.orderId, orderId));
    return row;
  });
}

async function firedFor(orderId: string) {
  return (await firedExpirations(ctx.nats.client)).filter((e) => e.data.orderId === orderId);
}

describe('expiring orders', () => {
  it('publishes expiration:complete once the order is due, not before, within the poll interval', async () => {
    const order = orderCreated(1_200);

    await publish(ctx.nats.client, Subjects.OrderCreated, order);

    await scheduled(order.id);
    const fired = await waitFor(async () => {
      const events = await firedFor(order.id);
      return events.length > 0 ? events : undefined;
    });
    const lateness = fired[0]!.storedAt - Date.parse(order.expiresAt);
    expect(lateness).toBeGreaterThanOrEqual(0);
    expect(lateness).toBeLessThan(POLL_MS + 1_000);
    // A later pass has looked at the row again, and what it fired is in the stream.
    await pollPassed(ctx);
    expect(await firedFor(order.id)).toHaveLength(1);
  });

  it('fires at once an order that was due before it was heard of', async () => {
    const order = orderCreated(-5_000);

    await publish(ctx.nats.client, Subjects.OrderCreated, order);

    await waitFor(async () => (await firedFor(order.id)).length === 1);
  });

  it.each([
    ['cancelled', Subjects.OrderCancelled],
    ['paid', Subjects.OrderCompleted],
  ] as const)('fires nothing for an order %s before it was due', async (_case, subject) => {
    const order = orderCreated(600);
    await publish(ctx.nats.client, Subjects.OrderCreated, order);
    await scheduled(order.id);

    await publish(ctx.nats.client, subject, { id: order.id, version: 1, ticket: { id: order.ticket.id } });

    await waitFor(async () => (await scheduled(order.id)).droppedAt !== null);
    // A pass that found the order due has run, and what it fired is in the stream.
    await pollPassed(ctx, Date.parse(order.expiresAt));
    expect(await firedFor(order.id)).toEqual([]);
  });

  it('fires nothing when the cancellation overtakes the order it cancels', async () => {
    // The cancellation waits (redelivered after a second or so) until its order has been scheduled.
    const order = orderCreated(3_000);

    const seq = await publish(ctx.nats.client, Subjects.OrderCancelled, {
      id: order.id,
      version: 1,
      ticket: { id: order.ticket.id },
    });
    // Setup: the cancellation is delivered (and held back) before its order is in the stream.
    const jsm = await jetstreamManager(ctx.nats.client);
    const cancellations = ctx.service.listeners().find((listener) => listener.subject === Subjects.OrderCancelled)!;
    await waitFor(
      async () => (await jsm.consumers.info('ticketing', cancellations.durableName)).delivered.stream_seq >= seq,
      {
        message: 'the cancellation delivered',
      },
    );
    await publish(ctx.nats.client, Subjects.OrderCreated, order);

    await waitFor(async () => (await scheduled(order.id)).version === 1);
    // A pass that found the order due has run, and what it fired is in the stream.
    await pollPassed(ctx, Date.parse(order.expiresAt));
    expect(await firedFor(order.id)).toEqual([]);
  });

  it('schedules a repeated order:created once, and fires once', async () => {
    const order = orderCreated(500);

    await publish(ctx.nats.client, Subjects.OrderCreated, order);
    await publish(ctx.nats.client, Subjects.OrderCreated, order);

    await waitFor(async () => (await firedFor(order.id)).length === 1);
    // Both copies are handled, a later pass has looked at the row again, and what it fired is in the stream.
    await pollPassed(ctx);
    expect(await firedFor(order.id)).toHaveLength(1);
    const rows = await ctx.service.database.db.select().from(expirations).where(eq(expirations.orderId, order.id));
    expect(rows).toHaveLength(1);
  });

  it('reports scheduled and overdue expirations in /readyz', async () => {
    await ctx.service.stop();
    const db = ctx.service.database.db;
    await db.delete(expirations);
    await db.insert(expirations).values([
      { orderId: randomUUID(), version: 0, dueAt: new Date(Date.now() + 60_000) },
      { orderId: randomUUID(), version: 0, dueAt: new Date(Date.now() - 1_000) },
      { orderId: randomUUID(), version: 0, dueAt: new Date(Date.now() - 1_000), firedAt: new Date() },
    ]);
    const app = (await import('@ticketing/common/service')).healthApp(ctx.service.context.logger, {
      database: () => ctx.service.database.ping(),
      report: ctx.service.context.readiness,
    });

    const ready = await request(app).get('/readyz');

    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ expirationsScheduled: 2, expirationsOverdue: 1 });
  });
});
