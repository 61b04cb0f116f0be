// Runs only in the PostgreSQL-server tier (TEST_DATABASE_URL): an order in flight elsewhere needs a session of its own.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { waitFor } from '@ticketing/common/testing';
import { BUYER_LOCK_KEY } from '../src/db/order-repository';
import { listTicket, signin, startOrders, type OrdersContext } from './orders-app';

let ctx: OrdersContext;

beforeAll(async () => {
  ctx = await startOrders({ MAX_OPEN_ORDERS_PER_BUYER: '3' });
});

afterAll(async () => {
  await ctx.close();
});

describe('a buyer’s orders placed at the same moment on two sessions', () => {
  it('wait for each other, so the cap holds: an order in flight elsewhere counts once it commits', async () => {
    expect(ctx.database.kind).toBe('postgres');
    const buyer = { id: randomUUID() };
    const tickets = await Promise.all(Array.from({ length: 8 }, () => listTicket(ctx)));
    for (const ticket of tickets.slice(0, 2)) {
      await request(ctx.app).post('/api/orders').set('Cookie', signin(buyer)).send({ ticketId: ticket.id }).expect(201);
    }
    // Another replica is placing the buyer's third order: its transaction holds the buyer's turn.
    const elsewhere = new pg.Client({ connectionString: ctx.database.url });
    await elsewhere.connect();
    try {
      await elsewhere.query('begin');
      await elsewhere.query('select pg_advisory_xact_lock($1, hashtext($2))', [BUYER_LOCK_KEY, buyer.id]);
      await elsewhere.query(
        `insert into orders (id, user_id, ticket_id, status, expires_at, price_cents)
         values ($1, $2, $3, 'created', now() + interval '15 minutes', 2000)`,
        [randomUUID(), buyer.id, tickets[2]!.id],
      );

      const settled = Promise.all(
        tickets
          .slice(3)
          .map((ticket) =>
            request(ctx.app).post('/api/orders').set('Cookie', signin(buyer)).send({ ticketId: ticket.id }),
          ),
      );
      // Every request waits for the buyer's turn while the other order is in flight.
      await Promise.race([
        settled,
        waitFor(
          async () =>
            (
              await elsewhere.query(
                `select count(*)::int as n from pg_locks
                 where locktype = 'advisory' and not granted and classid = $1
                   and database = (select oid from pg_database where datname = current_database())`,
                [BUYER_LOCK_KEY],
              )
            ).rows[0].n >= 5,
          { message: 'five orders waiting for the buyer’s turn' },
        ),
      ]);
      await elsewhere.query('commit');
      const responses = await settled;

      expect(responses.map((r) => r.status)).toEqual([400, 400, 400, 400, 400]);
      const held = await elsewhere.query(
        "select count(*)::int as n from orders where user_id = $1 and status = 'created'",
        [buyer.id],
      );
      expect(held.rows[0].n).toBe(3);
    } finally {
      await elsewhere.end();
    }
  });
});
