import { randomUUID } from 'node:crypto';
import { ensureStream } from '@ticketing/common/events';
import { jetstreamManager } from '@nats-io/jetstream';
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { OutboxRelay, outbox } from '@ticketing/common/db';
import { composeTestService, waitFor } from '@ticketing/common/testing';
import { ticketsService } from '../src/service';
import {
  logger,
  publishersOf,
  signin,
  startTickets,
  storedEvents,
  waitForEvents,
  type TicketsContext,
} from './tickets-app';
import {
  createTicket as createTicketOf,
  outboxOnEveryDatabase,
  owner,
  updateTicket as updateTicketOf,
} from './outbox-cases';

let ctx: TicketsContext;

// A PGlite database opened per test (the PGlite tier) takes seconds on a busy machine.
beforeEach(async () => {
  ctx = await startTickets();
}, 90_000);

afterEach(async () => {
  await ctx.close();
});

// Bound to this file's service, as every case below uses them.
const createTicket = (title: string, price?: number) => createTicketOf(ctx, title, price);
const updateTicket = (id: string, title: string, price?: number) => updateTicketOf(ctx, id, title, price);

describe('the outbox', () => {
  outboxOnEveryDatabase(() => ctx);

  it('keeps what was queued while the stream is gone (it may not make it), and publishes it once the stream is back', async () => {
    await createTicket('before the stream vanished');
    await waitForEvents(ctx.nats, 1);
    const jsm = await jetstreamManager(ctx.nats.client);
    await jsm.streams.delete('ticketing');

    const ticket = await createTicket('after the stream vanished');
    // A pass finds no stream, and tickets' user may not create one: the row stays queued.
    // (A pass of a relay of our own, the service's stopped: it holds the pass lock otherwise.)
    await ctx.relay.stop();
    const relay = new OutboxRelay({ database: ctx.database, logger, publish: publishersOf(ctx) });
    await expect(relay.runOnce()).rejects.toThrow();
    expect(await relay.counts()).toEqual({ outboxPending: 1, outboxFailed: 0 });
    // The privileged user sets it up again, as the local runner does when nats-server restarts.
    await ensureStream(ctx.nats.client, 'ticketing');
    ctx.relay.start();

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
    stalled.start();
    const { app } = composeTestService(ticketsService, ctx.database);

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
    // Two events of one ticket: the second cannot go out while the first is in flight.
    const one = await createTicket('one');
    await updateTicket(one.id, 'one, edited');
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

describe('rows that cannot be published', () => {
  /** A row written as older code or a hand-made insert could have left it, bypassing the contract check. */
  async function insertRaw(subject: string, data: unknown, aggregate: string) {
    const id = randomUUID();
    await ctx.database.db.insert(outbox).values({ id, subject, data, aggregate });
    return id;
  }

  async function rowsById() {
    const rows = await ctx.database.db.select().from(outbox);
    return new Map(rows.map((row) => [row.id, row]));
  }

  beforeEach(async () => {
    await ctx.relay.stop();
  });

  it('marks a row failed after maxAttempts, with its error, and publishes the rows of other tickets behind it', async () => {
    const stray = await insertRaw('order:created', { id: randomUUID() }, randomUUID());
    const broken = await insertRaw('ticket:updated', { anything: 'goes' }, randomUUID());
    const good = await createTicket('behind the broken rows');
    const relay = new OutboxRelay({ database: ctx.database, logger, publish: publishersOf(ctx), maxAttempts: 3 });

    await relay.runOnce();
    await relay.runOnce();
    await relay.runOnce();

    const rows = await rowsById();
    expect(rows.get(stray)).toMatchObject({ attempts: 3, publishedAt: null });
    expect(rows.get(stray)!.failedAt).toBeInstanceOf(Date);
    expect(rows.get(stray)!.lastError).toBe('this service does not publish order:created');
    expect(rows.get(broken)!.failedAt).toBeInstanceOf(Date);
    expect(rows.get(broken)!.lastError).toMatch(/^ticket:updated: id: /);
    expect((await storedEvents(ctx.nats)).map((e) => e.data.id)).toEqual([good.id]);
    expect(await relay.counts()).toEqual({ outboxPending: 0, outboxFailed: 2 });
  });

  it('keeps retrying a row that failed fewer than maxAttempts times', async () => {
    const broken = await insertRaw('ticket:created', { title: 'no id' }, randomUUID());
    const relay = new OutboxRelay({ database: ctx.database, logger, publish: publishersOf(ctx), maxAttempts: 5 });

    await relay.runOnce();
    await relay.runOnce();

    expect((await rowsById()).get(broken)).toMatchObject({ attempts: 2, failedAt: null, publishedAt: null });
    expect(await relay.counts()).toEqual({ outboxPending: 1, outboxFailed: 0 });
  });

  it("holds the later events of a failed row's ticket, so that ticket's events never go out of order", async () => {
    const a = await createTicket('ticket a');
    const b = await createTicket('ticket b');
    // Ticket a's next event is too large for the server (over its max_payload): it fails.
    await updateTicket(a.id, 'x'.repeat(200), 10);
    await ctx.database.db.execute(
      sql`update outbox set data = jsonb_set(data, '{title}', to_jsonb(repeat('x', 1100000))) where data->>'version' = '1'`,
    );
    await updateTicket(a.id, 'ticket a, third version');
    await updateTicket(b.id, 'ticket b, second version');
    const relay = new OutboxRelay({ database: ctx.database, logger, publish: publishersOf(ctx), maxAttempts: 1 });

    await relay.runOnce();
    await relay.runOnce();

    const published = (await storedEvents(ctx.nats)).map((e) => [e.data.id, e.data.version]);
    expect(published).toEqual([
      [a.id, 0],
      [b.id, 0],
      [b.id, 1],
    ]);
    const failed = (await ctx.database.db.select().from(outbox)).filter((row) => row.failedAt);
    expect(failed.map((row) => row.lastError)).toEqual([expect.stringMatching(/max_payload/)]);
    expect(await relay.counts()).toEqual({ outboxPending: 1, outboxFailed: 1 });
  });

  it("publishes a backlog of different tickets together, never two of one ticket's events at once", async () => {
    const a = await createTicket('ticket a');
    await updateTicket(a.id, 'ticket a, second version');
    const others = [];
    for (let i = 0; i < 6; i++) others.push(await createTicket(`ticket ${i}`));
    await updateTicket(a.id, 'ticket a, third version');
    const inFlight = new Map<string, number>();
    let most = 0;
    const publish = publishersOf(ctx);
    const relay = new OutboxRelay({
      database: ctx.database,
      logger,
      publish: async (subject, data, msgId) => {
        const id = (data as { id: string }).id;
        inFlight.set(id, (inFlight.get(id) ?? 0) + 1);
        expect(inFlight.get(id)).toBe(1);
        most = Math.max(
          most,
          [...inFlight.values()].reduce((sum, n) => sum + n, 0),
        );
        try {
          return await publish(subject, data, msgId);
        } finally {
          inFlight.set(id, inFlight.get(id)! - 1);
        }
      },
    });

    expect(await relay.runOnce()).toBe(9);

    // a0, a1, then a2 with the six others: three runs of distinct tickets, the last seven wide.
    expect(most).toBe(7);
    const published = (await storedEvents(ctx.nats)).map((e) => [e.data.id, e.data.version]);
    expect(published.filter(([id]) => id === a.id)).toEqual([
      [a.id, 0],
      [a.id, 1],
      [a.id, 2],
    ]);
    expect(published).toHaveLength(9);
    expect(await relay.counts()).toEqual({ outboxPending: 0, outboxFailed: 0 });
  });

  it('reports failed and pending rows in /readyz without failing it', async () => {
    await insertRaw('ticket:created', { title: 'no id' }, randomUUID());
    await ctx.database.db.update(outbox).set({ failedAt: new Date(), attempts: 5, lastError: 'broken' });
    await createTicket('waiting while the relay is stopped');

    const ready = await request(ctx.app).get('/readyz');

    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', outboxPending: 1, outboxFailed: 1 });
  });
});
