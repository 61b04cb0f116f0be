import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type NatsConnection } from '@nats-io/transport-node';
import { Subjects } from '@ticketing/common/events';
import { ensureStream } from '@ticketing/common/events';
import { freePort, startNatsServer, waitFor, type TestNatsServer } from '@ticketing/common/testing';
import { firedExpirations, orderCreated, publish } from './expiration-app';

const entry = path.join(__dirname, '..', 'dist', 'index.js');

let nats: TestNatsServer;
let nc: NatsConnection;
let dataDir: string;
let port: number;
const children: ChildProcess[] = [];

/** The expiration service as its own process, on an embedded database in `dataDir`. */
function startProcess(): ChildProcess {
  const child = spawn(process.execPath, [entry], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      NATS_URL: nats.url,
      NATS_NKEY_SEED: nats.seedOf('expiration'),
      NATS_CLIENT_ID: `expiration-${children.length}`,
      EXPIRATION_POLL_MS: '200',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

async function readiness(): Promise<Record<string, unknown> | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/readyz`);
    return (await response.json()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await nats.connect();
  await ensureStream(nc, 'ticketing');
  dataDir = await mkdtemp(path.join(tmpdir(), 'ticketing-expiration-'));
  port = await freePort();
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(children.map(exited));
  await nc?.close();
  await nats?.destroy();
  await rm(dataDir, { recursive: true, force: true });
});

describe('expiration across a crash', () => {
  it('fires every pending expiry exactly once after a SIGKILL and a restart, those due while it was down included, none early', async () => {
    const first = startProcess();
    await waitFor(async () => (await readiness())?.nats === 'connected', {
      timeoutMs: 30_000,
      message: 'the first process',
    });
    // 20 fall due while the process is down, 30 after it is back.
    const orders = [
      ...Array.from({ length: 20 }, (_, i) => orderCreated(2_000 + i * 50)),
      ...Array.from({ length: 30 }, (_, i) => orderCreated(7_000 + i * 50)),
    ];
    for (const order of orders) await publish(nc, Subjects.OrderCreated, order);
    await waitFor(async () => (await readiness())?.expirationsScheduled === 50, {
      message: 'all 50 scheduled',
    });

    first.kill('SIGKILL');
    await exited(first);
    expect(await firedExpirations(nc)).toEqual([]);
    // Setup: the first 20 fall due while no process runs.
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, Date.parse(orders[19]!.expiresAt) + 500 - Date.now())),
    );

    startProcess();

    const fired = await waitFor(
      async () => {
        const events = await firedExpirations(nc);
        return events.length >= 50 ? events : undefined;
      },
      { timeoutMs: 30_000, message: 'all 50 fired' },
    );
    // A pass after all 50 fired has run and what it fired is in the stream: an order of our
    // own, due now, has fired, and the outbox is empty.
    const fence = orderCreated(0);
    await publish(nc, Subjects.OrderCreated, fence);
    await waitFor(async () => (await firedExpirations(nc)).some((event) => event.data.orderId === fence.id), {
      message: 'the fence order to fire',
    });
    await waitFor(async () => (await readiness())?.outboxPending === 0, { message: 'an empty outbox' });
    const all = (await firedExpirations(nc)).filter((event) => event.data.orderId !== fence.id);
    expect(all).toHaveLength(50);
    const byOrder = new Map(all.map((event) => [event.data.orderId as string, event]));
    expect(new Set(byOrder.keys())).toEqual(new Set(orders.map((order) => order.id)));
    for (const order of orders) {
      expect({ order: order.id, early: byOrder.get(order.id)!.storedAt < Date.parse(order.expiresAt) }).toEqual({
        order: order.id,
        early: false,
      });
    }
    expect(fired.length).toBe(50);
  }, 60_000);
});
