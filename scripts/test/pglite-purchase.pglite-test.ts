// The embedded fallback as `DATABASE=pglite npm start` runs it: every service on its own
// PGlite under DATA_DIR, a whole purchase through the edge (the PGlite tier of npm test).
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from '@ticketing/common/testing';
import { startStack } from '../lib/stack.mjs';
import { apiCall, buyTicket } from './lib/purchase';

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
    const call = apiCall(stack.url);
    // Five embedded databases on a machine busy with other tests can be slow to: a minute each.
    const {
      buyer,
      ticket,
      order,
      payment: paid,
    } = await buyTicket(call, 'pglite', { title: 'Embedded', price: 42 }, 60_000);

    expect(paid).toMatchObject({ orderId: order.id, amount: 42, status: 'succeeded' });
    await waitFor(async () => (await call('GET', `/api/orders/${order.id}`, buyer)).body.status === 'complete', {
      timeoutMs: 60_000,
      message: 'the order complete',
    });
    await waitFor(async () => (await call('GET', `/api/tickets/${ticket.id}`)).body.sold === true, {
      timeoutMs: 60_000,
      message: 'the ticket sold',
    });
  }, 240_000);
});
