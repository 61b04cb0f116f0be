import { jetstreamManager } from '@nats-io/jetstream';
import { Subjects } from '@ticketing/common/events';
import { startTestService, waitFor } from '@ticketing/common/testing';
import { tickets } from '../src/db/schema';
import { ordersService } from '../src/service';
import { copyAt, newTicket, publish, startOrders, type OrdersContext } from './orders-app';

let ctx: OrdersContext;

beforeAll(async () => {
  ctx = await startOrders();
});

afterAll(async () => {
  await ctx.close();
});

function updated(ticket: ReturnType<typeof newTicket>, version: number) {
  return { ...ticket, version, title: `${ticket.title} v${version}`, price: 20 + version, orderId: null };
}

describe("orders' copy of tickets", () => {
  it('ends at the last version when the versions arrive shuffled', async () => {
    const ticket = newTicket({ title: 'Shuffled' });
    const versions = Array.from({ length: 19 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
    for (const version of versions) await publish(ctx.nats, Subjects.TicketUpdated, updated(ticket, version));
    await publish(ctx.nats, Subjects.TicketCreated, ticket);

    const copy = await copyAt(ctx.database, ticket.id, 19);

    expect(copy).toEqual({
      id: ticket.id,
      title: 'Shuffled v19',
      priceCents: 3900,
      userId: ticket.userId,
      version: 19,
      eventAt: null,
      withdrawn: false,
    });
  });

  it('ignores a repeated or older version', async () => {
    const ticket = newTicket();
    await publish(ctx.nats, Subjects.TicketCreated, ticket);
    await publish(ctx.nats, Subjects.TicketUpdated, updated(ticket, 1));
    await publish(ctx.nats, Subjects.TicketUpdated, updated(ticket, 2));
    await copyAt(ctx.database, ticket.id, 2);

    await publish(ctx.nats, Subjects.TicketUpdated, { ...updated(ticket, 1), title: 'stale' });
    await publish(ctx.nats, Subjects.TicketCreated, { ...ticket, title: 'created again' });
    await publish(ctx.nats, Subjects.TicketUpdated, updated(ticket, 3));

    const copy = await copyAt(ctx.database, ticket.id, 3);
    expect(copy.title).toBe(`${ticket.title} v3`);
  });

  it('is rebuilt from the stream by a new instance on an empty database whose consumers start afresh', async () => {
    // One for an event, later withdrawn; one undated.
    const listed = [newTicket({ title: 'a', eventAt: '2027-05-01T19:30:00.000Z' }), newTicket({ title: 'b' })];
    for (const [i, ticket] of listed.entries()) {
      await publish(ctx.nats, Subjects.TicketCreated, ticket);
      await publish(ctx.nats, Subjects.TicketUpdated, { ...updated(ticket, 1), withdrawn: i === 0 });
    }
    for (const ticket of listed) await copyAt(ctx.database, ticket.id, 1);
    const original = await ctx.database.db.select().from(tickets).orderBy(tickets.id);
    expect(original.find((row) => row.id === listed[0]!.id)).toMatchObject({
      eventAt: new Date('2027-05-01T19:30:00.000Z'),
      withdrawn: true,
    });
    // A new deployment: its consumers do not exist yet, so they read the stream from the start.
    await ctx.service.stop();
    const admin = await ctx.server.connect();
    const jsm = await jetstreamManager(admin);
    for (const subject of [Subjects.TicketCreated, Subjects.TicketUpdated]) {
      await jsm.consumers.delete('ticketing', `orders-service-${subject}`);
    }
    await admin.close();
    // Made again by the setup user, as the runner or the setup Job does for a new deployment.
    await ctx.server.setUp();

    const fresh = await startTestService(ordersService, { nats: ctx.server });
    try {
      // Every ticket of the stream, this test's and the earlier ones', each at its last version.
      const rebuilt = await waitFor(
        async () => {
          const rows = await fresh.database.db.select().from(tickets).orderBy(tickets.id);
          return JSON.stringify(rows) === JSON.stringify(original) ? rows : undefined;
        },
        { message: 'the rebuilt copy equal to the original' },
      );
      expect(rebuilt).toEqual(original);
    } finally {
      await fresh.close();
    }
  });
});
