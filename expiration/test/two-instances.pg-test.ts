// Runs only in the PostgreSQL-server tier (TEST_DATABASE_URL): two replicas need two sessions.
import { openDatabase } from '@ticketing/common/db';
import { Subjects } from '@ticketing/common/events';
import { startTestService, waitFor, type TestService } from '@ticketing/common/testing';
import { migrationsFolder } from '../src/db/migrations-folder';
import { schema, type ExpirationSchema } from '../src/db/schema';
import { expirationService } from '../src/service';
import {
  firedExpirations,
  orderCreated,
  pollPassed,
  publish,
  startExpiration,
  type ExpirationContext,
} from './expiration-app';

let ctx: ExpirationContext;
let replica: TestService<ExpirationSchema, unknown>;

beforeAll(async () => {
  ctx = await startExpiration();
  const pool = await openDatabase({ schema, migrationsFolder, url: ctx.service.database.url });
  replica = await startTestService(expirationService, {
    nats: ctx.server,
    database: pool,
    env: { EXPIRATION_POLL_MS: '50' },
  });
});

afterAll(async () => {
  await replica?.stop();
  await replica?.database.close();
  await ctx.close();
});

describe('two expiration instances on one PostgreSQL server', () => {
  it('fire each expiry once', async () => {
    expect(ctx.service.database.kind).toBe('postgres');
    const orders = Array.from({ length: 40 }, (_, i) => orderCreated(300 + i * 20));
    for (const order of orders) await publish(ctx.nats.client, Subjects.OrderCreated, order);

    await waitFor(async () => (await firedExpirations(ctx.nats.client)).length >= 40, { message: '40 fired' });
    // A later pass (of either instance: they share the outbox) has run, and what it fired is in the stream.
    const fence = await pollPassed(ctx);

    const fired = (await firedExpirations(ctx.nats.client)).filter((e) => e.data.orderId !== fence);
    expect(fired.map((e) => e.data.orderId).sort()).toEqual(orders.map((o) => o.id).sort());
  });
});
