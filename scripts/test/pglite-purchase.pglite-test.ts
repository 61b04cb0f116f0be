// The embedded fallback as `DATABASE=pglite npm start` runs it: every service on its own
// PGlite under DATA_DIR, a whole purchase through the edge (the PGlite tier of npm test).
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from '@ticketing/common/testing';
import { startStack } from '../lib/stack.mjs';

const root = path.join(__dirname, '..', '..');

describe('the system on the embedded databases (DATABASE=pglite)', () => {
  let dataDir: string;
  let stack: Awaited<ReturnType<typeof startStack>>;
  const lines: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'ticketing-pglite-'));
    stack = await startStack({
      root,
      port: 0,
      dataDir,
      natsPort: 0,
      natsMonitorPort: null,
      client: false,
      database: 'pglite',
      logLevel: 'info',
      print: (line: string) => lines.push(line),
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const call = async (method: string, url: string, cookie = '', body?: object) => {
    const response = await fetch(`${stack.url}${url}`, {
      method,
      headers: { 'content-type': 'application/json', cookie },
      body: body && JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
  };

  it('says which database every service uses and why, and keeps each in its own folder', () => {
    expect(lines.join('\n')).toMatch(
      /databases: the embedded PGlite in .* for auth, tickets, orders, expiration, payments: DATABASE=pglite/,
    );
    for (const name of ['auth', 'tickets', 'orders', 'expiration', 'payments']) {
      expect(existsSync(path.join(dataDir, name, 'PG_VERSION'))).toBe(true);
    }
    expect(existsSync(path.join(dataDir, 'postgres'))).toBe(false);
  });

  it('sells a ticket: listed, reserved, paid, the order complete and the ticket sold', async () => {
    const signUp = async (email: string) =>
      (await call('POST', '/api/users/signup', '', { email, password: 'password123' })).headers
        .get('set-cookie')!
        .split(';')[0]!;
    const seller = await signUp('pglite-seller@example.com');
    const buyer = await signUp('pglite-buyer@example.com');
    const ticket = await call('POST', '/api/tickets', seller, { title: 'Embedded', price: 42 });
    expect(ticket.status).toBe(201);

    // Orders and payments hear of the ticket and the order through the bus: a 404 means not yet.
    // Five embedded databases on a machine busy with other tests can be slow to: a minute each.
    const order = await waitFor(
      async () => {
        const placed = await call('POST', '/api/orders', buyer, { ticketId: ticket.body.id });
        return placed.status === 201 ? placed.body : undefined;
      },
      { timeoutMs: 60_000, message: 'the order placed' },
    );
    const paid = await waitFor(
      async () => {
        const payment = await call('POST', '/api/payments', buyer, { orderId: order.id, token: 'tok_visa' });
        return payment.status === 201 ? payment.body : undefined;
      },
      { timeoutMs: 60_000, message: 'the order paid' },
    );

    expect(paid).toMatchObject({ orderId: order.id, amount: 42, status: 'succeeded' });
    await waitFor(async () => (await call('GET', `/api/orders/${order.id}`, buyer)).body.status === 'complete', {
      timeoutMs: 60_000,
      message: 'the order complete',
    });
    await waitFor(async () => (await call('GET', `/api/tickets/${ticket.body.id}`)).body.sold === true, {
      timeoutMs: 60_000,
      message: 'the ticket sold',
    });
  }, 240_000);
});
