// Runs only in the PostgreSQL-server tier (TEST_DATABASE_URL): two replicas need two sessions.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { openDatabase } from '@ticketing/common/db';
import { sessionCookie, startTestService, TEST_JWT_KEY, type TestService } from '@ticketing/common/testing';
import { migrationsFolder } from '../src/db/migrations-folder';
import { schema, type OrdersSchema } from '../src/db/schema';
import { ordersService } from '../src/service';
import { listTicket, startOrders, type OrdersContext } from './orders-app';

let ctx: OrdersContext;
let replica: TestService<OrdersSchema, unknown>;

beforeAll(async () => {
  ctx = await startOrders();
  // A second orders instance on the same database, as a second pod would be.
  const pool = await openDatabase({ schema, migrationsFolder, url: ctx.database.url });
  replica = await startTestService(ordersService, { nats: ctx.server, database: pool });
});

afterAll(async () => {
  await replica?.stop();
  await replica?.database.close();
  await ctx.close();
});

describe('two orders instances on one PostgreSQL server', () => {
  it('let exactly one of 20 buyers racing through both have the ticket', async () => {
    expect(ctx.database.kind).toBe('postgres');
    const ticket = await listTicket(ctx);
    const instances = [ctx.app, replica.server];

    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request(instances[i % 2]!)
          .post('/api/orders')
          .set('Cookie', sessionCookie(TEST_JWT_KEY, { id: randomUUID() }))
          .send({ ticketId: ticket.id }),
      ),
    );

    expect(responses.map((r) => r.status).sort()).toEqual([201, ...Array(19).fill(400)]);
    for (const refused of responses.filter((r) => r.status === 400)) {
      expect(refused.body).toEqual({ errors: [{ message: 'Ticket is already reserved' }] });
    }
  });
});
