import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { OutboxRelay, outbox } from '@ticketing/common';
import { waitFor } from '@ticketing/common/testing';
import { buildApp } from '../src/app';
import {
  JWT_KEY,
  logger,
  publishersOf,
  signin,
  startTickets,
  storedEvents,
  waitForEvents,
  type TicketsContext,
} from './tickets-app';

let ctx: TicketsContext;

beforeEach(async () => {
  ctx = await startTickets();
});

afterEach(async () => {
  await ctx.close();
});

const owner = { id: randomUUID() };

async function createTicket(title: string, price = 10) {
  const response = await request(ctx.app).post('/api/tickets').set('Cookie', signin(owner)).send({ title, price });
  expect(response.status).toBe(201);
  return response.body as { id: string };
}

async function updateTicket(id: string, title: string, price = 10) {
  const response = await request(ctx.app).put(`/api/tickets/${id}`).set('Cookie', signin(owner)).send({ title, price });
  expect(response.status).toBe(200);
  return response.body as { version: number };
}

describe('the outbox', () => {
  it('keeps serving while NATS is down and publishes every event exactly once, in order, when it returns', async () => {
    const a = await createTicket('before outage');
    await waitForEvents(ctx.nats, 1);

    await ctx.server.stop();
    await waitFor(() => ctx.nats.state === 'reconnecting', { message: 'the client to notice' });
    const b = await createTicket('during outage 1');
    await updateTicket(b.id, 'during outage 1, edited');
    await updateTicket(a.id, 'before outage, edited');
    const c = await createTicket('during outage 2');
    await updateTicket(b.id, 'during outage 1, edited twice');
    const ready = await request(ctx.app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ database: 'up', nats: 'reconnecting', outboxPending: 5 });

    await ctx.server.start();

    const events = await waitForEvents(ctx.nats, 6, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const all = await storedEvents(ctx.nats);
    expect(all).toHaveLength(6);
    expect(new Set(all.map((e) => e.msgId)).size).toBe(6);
    const versionsOf = (id: string) => all.filter((e) => e.data.id === id).map((e) => e.data.version);
    expect(versionsOf(a.id)).toEqual([0, 1]);
    expect(versionsOf(b.id)).toEqual([0, 1, 2]);
    expect(versionsOf(c.id)).toEqual([0]);
    expect(events.at(-1)!.data.title).toBe('during outage 1, edited twice');
    await waitFor(async () => (await ctx.relay.pendingCount()) === 0, { message: 'an empty backlog' });
  });

  it('recreates the stream when it has gone missing and publishes what was queued', async () => {
    await createTicket('before the stream vanished');
    await waitForEvents(ctx.nats, 1);
    const jsm = await jetstreamManager(ctx.nats.client);
    await jsm.streams.delete('ticketing');

    const ticket = await createTicket('after the stream vanished');

    const events = await waitForEvents(ctx.nats, 1, 15_000);
    expect(events.map((e) => e.data.id)).toEqual([ticket.id]);
    await waitFor(async () => (await ctx.relay.pendingCount()) === 0, { message: 'an empty backlog' });
  });

  it('answers without waiting for the publish: a write returns while its event is still being sent', async () => {
    await ctx.relay.stop();
    const publish = publishersOf(ctx);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let publishing = 0;
    const stalled = new OutboxRelay({
      database: ctx.database,
      logger,
      publish: async (subject, data, msgId) => {
        publishing++;
        await gate;
        return publish(subject, data, msgId);
      },
    });
    const app = buildApp({
      database: ctx.database,
      logger,
      jwtKey: JWT_KEY,
      cookieSecure: false,
      onEventsQueued: () => stalled.kick(),
    });

    const response = await request(app)
      .post('/api/tickets')
      .set('Cookie', signin(owner))
      .send({ title: 'not waiting', price: 3 });

    expect(response.status).toBe(201);
    await waitFor(() => publishing === 1, { message: 'the publish to start' });
    expect(await stalled.pendingCount()).toBe(1);
    release();
    await stalled.stop();
    expect(await stalled.pendingCount()).toBe(0);
    expect((await storedEvents(ctx.nats)).map((e) => e.data.id)).toEqual([response.body.id]);
  });

  it('stores an event once when a relay dies between publishing it and marking it published', async () => {
    await ctx.relay.stop();
    const ticket = await createTicket('crash test');
    const publish = publishersOf(ctx);
    const dying = new OutboxRelay({
      database: ctx.database,
      logger,
      publish: async (subject, data, msgId) => {
        await publish(subject, data, msgId);
        throw new Error('process killed before the row was marked');
      },
    });

    await expect(dying.runOnce()).rejects.toThrow('process killed');
    expect(await dying.pendingCount()).toBe(1);
    expect(await storedEvents(ctx.nats)).toHaveLength(1);

    const survivor = new OutboxRelay({ database: ctx.database, logger, publish });
    expect(await survivor.runOnce()).toBe(1);

    const events = await storedEvents(ctx.nats);
    expect(events).toHaveLength(1);
    expect(events[0]!.data.id).toBe(ticket.id);
    expect(await survivor.pendingCount()).toBe(0);
  });

  it('waits for the publish in flight when stopped, and leaves the rest queued', async () => {
    await ctx.relay.stop();
    await createTicket('one');
    await createTicket('two');
    const publish = publishersOf(ctx);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const relay = new OutboxRelay({
      database: ctx.database,
      logger,
      publish: async (subject, data, msgId) => {
        calls++;
        await gate;
        return publish(subject, data, msgId);
      },
    });
    relay.start();
    await waitFor(() => calls === 1, { message: 'the first publish' });

    const stopping = relay.stop();
    release();
    await stopping;

    expect(calls).toBe(1);
    expect(await storedEvents(ctx.nats)).toHaveLength(1);
    expect(await relay.pendingCount()).toBe(1);
  });

  it('prunes published rows once they are older than the retention', async () => {
    await ctx.relay.stop();
    await createTicket('prune me');
    const relay = new OutboxRelay({ database: ctx.database, logger, publish: publishersOf(ctx), retentionMs: 0 });

    expect(await relay.runOnce()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await relay.runOnce();

    expect(await ctx.database.db.select().from(outbox)).toEqual([]);
  });

  it('rolls back the ticket when its event cannot be queued, so neither exists', async () => {
    await ctx.database.db.execute(
      // Break the outbox for this database only: the insert of the event now fails.
      sql`alter table outbox add constraint no_rows check (false) not valid`,
    );

    const response = await request(ctx.app)
      .post('/api/tickets')
      .set('Cookie', signin(owner))
      .send({ title: 'orphan', price: 1 });

    expect(response.status).toBe(500);
    expect(response.body).toEqual({ errors: [{ message: 'Something went wrong' }] });
    const list = await request(ctx.app).get('/api/tickets');
    expect(list.body).toEqual([]);
  });
});

describe('health while the database is gone', () => {
  it('/readyz answers 503 and requests 503, both in the contract format', async () => {
    await ctx.relay.stop();
    await ctx.database.close();

    const ready = await request(ctx.app).get('/readyz');
    const list = await request(ctx.app).get('/api/tickets');

    expect(ready.status).toBe(503);
    expect(ready.body.errors).toEqual([{ message: 'Not ready: the database is unavailable' }]);
    expect(ready.body.nats).toBe('connected');
    expect(list.status).toBe(503);
    expect(list.body).toEqual({ errors: [{ message: 'Database unavailable, please try again shortly' }] });
  });
});
