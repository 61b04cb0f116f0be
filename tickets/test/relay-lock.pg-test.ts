// Runs only in the PostgreSQL-server tier: PGlite is one session, so it has no second
// relay to keep out.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { OutboxRelay, openDatabase } from '@ticketing/common';
import { waitFor } from '@ticketing/common/testing';
import { migrationsFolder } from '../src/db/migrations-folder';
import { schema } from '../src/db/schema';
import { logger, publishersOf, signin, startTickets, storedEvents, type TicketsContext } from './tickets-app';

let ctx: TicketsContext;

beforeAll(async () => {
  ctx = await startTickets();
  expect(ctx.database.url).toBeDefined();
  await ctx.relay.stop();
});

afterAll(async () => {
  await ctx.close();
});

describe('two relays on one PostgreSQL database (two replicas)', () => {
  it('lets only one publish at a time: the other finds the lock taken', async () => {
    const owner = { id: randomUUID() };
    await request(ctx.app)
      .post('/api/tickets')
      .set('Cookie', signin(owner))
      .send({ title: 'lock', price: 5 })
      .expect(201);
    // A second replica: its own pool on the same database.
    const replica = await openDatabase({ schema, migrationsFolder, url: ctx.database.url });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const publish = publishersOf(ctx);
    let inside = 0;
    const first = new OutboxRelay({
      database: ctx.database,
      logger,
      publish: async (...args) => {
        inside++;
        await gate;
        return publish(...args);
      },
    });
    const second = new OutboxRelay({ database: replica, logger, publish });

    const firstPass = first.runOnce();
    await waitFor(() => inside === 1, { message: 'the first relay inside its pass' });
    expect(await second.runOnce()).toBe('busy');

    release();
    expect(await firstPass).toBe(1);
    expect(await second.runOnce()).toBe(0);
    await replica.close();
  });

  it('publishes each ticket’s events once and in version order while two relays compete', async () => {
    const replica = await openDatabase({ schema, migrationsFolder, url: ctx.database.url });
    const publish = publishersOf(ctx);
    const relays = [
      new OutboxRelay({ database: ctx.database, logger, publish, intervalMs: 20 }),
      new OutboxRelay({ database: replica, logger, publish, intervalMs: 20 }),
    ];
    relays.forEach((relay) => relay.start());
    const before = (await storedEvents(ctx.nats)).length;

    const owner = { id: randomUUID() };
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { body } = await request(ctx.app)
        .post('/api/tickets')
        .set('Cookie', signin(owner))
        .send({ title: `t${i}`, price: 1 });
      ids.push(body.id);
    }
    await Promise.all(
      ids.flatMap((id) =>
        [1, 2, 3].map(() =>
          request(ctx.app).put(`/api/tickets/${id}`).set('Cookie', signin(owner)).send({ title: 'x', price: 2 }),
        ),
      ),
    );

    await waitFor(async () => (await storedEvents(ctx.nats)).length === before + 20, {
      timeoutMs: 20_000,
      message: '20 events',
    });
    await Promise.all(relays.map((relay) => relay.stop()));
    const events = (await storedEvents(ctx.nats)).slice(before);
    expect(new Set(events.map((e) => e.msgId)).size).toBe(20);
    for (const id of ids) {
      expect(events.filter((e) => e.data.id === id).map((e) => e.data.version)).toEqual([0, 1, 2, 3]);
    }
    await replica.close();
  });
});
