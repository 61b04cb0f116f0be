import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { OutboxRelay, outbox } from '@ticketing/common/db';
import { lastVacuum, waitFor } from '@ticketing/common/testing';
import { logger, publishersOf, signin, storedEvents, waitForEvents, type TicketsContext } from './tickets-app';

/** A relay that counts the passes it has finished. */
export class CountingRelay extends OutboxRelay {
  passes = 0;
  override async runOnce() {
    try {
      return await super.runOnce();
    } finally {
      this.passes++;
    }
  }
}

/** The seller of every ticket these cases list. */
export const owner = { id: randomUUID() };

/** Lists a ticket through the API; its event goes to the outbox with it. */
export async function createTicket(ctx: TicketsContext, title: string, price = 10) {
  const response = await request(ctx.app).post('/api/tickets').set('Cookie', signin(owner)).send({ title, price });
  expect(response.status).toBe(201);
  return response.body as { id: string };
}

/** Edits a ticket of the same owner through the API. */
export async function updateTicket(ctx: TicketsContext, id: string, title: string, price = 10) {
  const response = await request(ctx.app).put(`/api/tickets/${id}`).set('Cookie', signin(owner)).send({ title, price });
  expect(response.status).toBe(200);
  return response.body as { version: number };
}

/**
 * The outbox's cases that run on both kinds of database: on the server in the main tier
 * (outbox.test.ts), and again on the embedded database (outbox.pglite-test.ts), where what
 * differs is its own: one connection, no autovacuum (the relay vacuums), no LISTEN/NOTIFY
 * between processes (a commit wakes the relay in the same process).
 */
export function outboxOnEveryDatabase(context: () => TicketsContext) {
  it('keeps serving while NATS is down and publishes every event exactly once, in order, when it returns', async () => {
    const ctx = context();
    const a = await createTicket(ctx, 'before outage');
    await waitForEvents(ctx.nats, 1);

    await ctx.server.stop();
    await waitFor(() => ctx.nats.state === 'reconnecting', { message: 'the client to notice' });
    const b = await createTicket(ctx, 'during outage 1');
    await updateTicket(ctx, b.id, 'during outage 1, edited');
    await updateTicket(ctx, a.id, 'before outage, edited');
    const c = await createTicket(ctx, 'during outage 2');
    await updateTicket(ctx, b.id, 'during outage 1, edited twice');
    const ready = await request(ctx.app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ database: 'up', nats: 'reconnecting', outboxPending: 5 });

    await ctx.server.start();

    const events = await waitForEvents(ctx.nats, 6, 20_000);
    // Once the backlog is empty every publish has returned: what the stream holds now is all there will be.
    await waitFor(async () => (await ctx.relay.pendingCount()) === 0, { message: 'an empty backlog' });
    const all = await storedEvents(ctx.nats);
    expect(all).toHaveLength(6);
    expect(new Set(all.map((e) => e.msgId)).size).toBe(6);
    const versionsOf = (id: string) => all.filter((e) => e.data.id === id).map((e) => e.data.version);
    expect(versionsOf(a.id)).toEqual([0, 1]);
    expect(versionsOf(b.id)).toEqual([0, 1, 2]);
    expect(versionsOf(c.id)).toEqual([0]);
    expect(events.at(-1)!.data.title).toBe('during outage 1, edited twice');
  });

  it('prunes published rows once they are older than the retention', async () => {
    const ctx = context();
    await ctx.relay.stop();
    await createTicket(ctx, 'prune me');
    const relay = new OutboxRelay({ database: ctx.database, logger, publish: publishersOf(ctx), retentionMs: 0 });

    expect(await relay.runOnce()).toBe(1);
    // A later pass prunes the row once it is older than the retention (none): a moment later.
    await waitFor(
      async () => {
        await relay.runOnce();
        return (await ctx.database.db.select().from(outbox)).length === 0;
      },
      { message: 'the published row pruned' },
    );

    expect(await ctx.database.db.select().from(outbox)).toEqual([]);
    // PGlite has no autovacuum: the relay reclaims what publishing and pruning left behind.
    if (ctx.database.kind === 'pglite') expect(await lastVacuum(ctx.database, 'outbox')).not.toBeNull();
  });

  it('publishes as soon as the change commits, without waiting for a sweep', async () => {
    const ctx = context();
    await ctx.relay.stop();
    const relay = new CountingRelay({ database: ctx.database, logger, publish: publishersOf(ctx), intervalMs: 60_000 });
    relay.start();
    // Its start-up passes: one at start and, on a server, one once it listens (for what was
    // committed before). After them only a notification can make a pass within the wait below.
    await waitFor(() => relay.passes >= (ctx.database.kind === 'pglite' ? 1 : 2), { message: 'the start-up passes' });

    const ticket = await createTicket(ctx, 'notified');

    const events = await waitForEvents(ctx.nats, 1, 2_000);
    expect(events.map((e) => e.data.id)).toEqual([ticket.id]);
    await relay.stop();
  });
}
