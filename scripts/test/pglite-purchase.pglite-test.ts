// The embedded fallback as `DATABASE=pglite npm start` runs it: every service on its own
// PGlite under DATA_DIR, a whole purchase through the edge (the PGlite tier of npm test).
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from '@ticketing/common/testing';
import { startStack } from '../lib/stack.mjs';
import { apiCall, buyTicket } from './lib/purchase';
import { groupTraces, readSpans, tracesDir } from '../lib/trace-store.mjs';

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
      traces: 'local',
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

  it("traces the embedded databases' queries inside the work that made them, and the relay's in no one's", async () => {
    interface Span {
      spanId: string;
      parentSpanId?: string;
      service: string;
      name: string;
      attributes: Record<string, unknown>;
    }
    const paying = await waitFor(
      () =>
        groupTraces(readSpans(tracesDir(dataDir))).find(
          (t: { root: Span; spans: Span[] }) =>
            t.root.name === 'POST /api/payments' &&
            t.spans.some((span) => span.service === 'tickets' && span.name === 'process order:completed'),
        ),
      { timeoutMs: 30_000, message: 'the payment traced through tickets' },
    );
    const spans = paying.spans as Span[];
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const sold = spans.find((span) => span.service === 'tickets' && span.name === 'process order:completed')!;
    const under = (span: Span, ancestor: Span): boolean => {
      const parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined;
      return parent !== undefined && (parent === ancestor || under(parent, ancestor));
    };
    expect(spans.some((span) => span.name === 'pglite.query:UPDATE' && under(span, sold))).toBe(true);
    // A commit notifies the relay from inside the work that queued the event: the relay's
    // pass (its reads and marks of the outbox) must not land in that work's trace. The only
    // outbox statements in it are the inserts, each in its `create` span.
    const outboxStatements = spans.filter((span) => /\boutbox\b/.test(String(span.attributes['db.query.text'] ?? '')));
    expect(outboxStatements.length).toBeGreaterThan(0);
    expect(
      outboxStatements
        .filter((span) => !byId.get(span.parentSpanId ?? '')?.name.startsWith('create '))
        .map((span) => `${span.service}: ${span.attributes['db.query.text']}`),
    ).toEqual([]);
  }, 60_000);
});
