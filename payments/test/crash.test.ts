import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { jetstream } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/transport-node';
import request from 'supertest';
import { openDatabase, type Database } from '@ticketing/common/db';
import { publishEvent, Subjects } from '@ticketing/common/events';
import {
  createTestDatabase,
  startNatsServer,
  startTestService,
  storedEvents,
  TEST_JWT_KEY,
  waitFor,
  type TestNatsServer,
} from '@ticketing/common/testing';
import { migrationsFolder } from '../src/db/migrations-folder';
import { schema, type PaymentsSchema } from '../src/db/schema';
import { createPaymentsService } from '../src/service';
import { newOrder, paymentRow, published, signin, successfulCharges, testCharges } from './payments-app';

const root = path.join(__dirname, '..', '..');
const LEASE_SECONDS = '2';
// A real process starts from the TypeScript sources on a fresh database: slow on a busy machine.
const CRASH_TEST_MS = 120_000;

let nats: TestNatsServer;
let bus: NatsConnection;
let children: ChildProcess[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
  bus = await nats.connect();
});

afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children = [];
});

afterAll(async () => {
  await bus?.close();
  await nats.destroy();
});

/** Where a crashed instance's data outlives it: a PGlite folder, or a database on the PostgreSQL server. */
async function durableDatabase(): Promise<{
  env: Record<string, string>;
  open: () => Promise<Database<PaymentsSchema>>;
  cleanUp: () => Promise<void>;
}> {
  if (process.env.TEST_DATABASE_URL) {
    const database = await createTestDatabase({ schema, migrationsFolder });
    return {
      env: { DATABASE_URL: database.url! },
      open: async () => database,
      cleanUp: () => database.close(),
    };
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), 'payments-crash-'));
  let opened: Database<PaymentsSchema> | undefined;
  return {
    env: { DATA_DIR: dataDir },
    open: async () =>
      (opened = await openDatabase({ schema, migrationsFolder, dataDir: path.join(dataDir, 'payments') })),
    cleanUp: async () => {
      await opened?.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts a payments process that dies at `crashAt`; resolves with its URL once it listens and is on the bus. */
async function startCrashingPayments(crashAt: string, env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    ['--conditions=ticketing-source', '--import', 'tsx', path.join(__dirname, 'fixtures', 'crashing-payments.ts')],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        ...env,
        CRASH_AT: crashAt,
        PORT: '0',
        HOST: '127.0.0.1',
        JWT_KEY: TEST_JWT_KEY,
        NATS_URL: nats.url,
        NATS_NKEY_SEED: nats.seedOf('payments'),
        NATS_CLIENT_ID: `payments-crashing-${randomUUID().slice(0, 8)}`,
        PAYMENT_LEASE_SECONDS: LEASE_SECONDS,
        LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the crashing instance exited early (${code})`)));
  });
  return { url: `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`, exited };
}

/** Pays as the buyer until the instance has the order (404 before) and dies on the charge. */
async function payUntilItDies(url: string, buyer: { id: string }, orderId: string) {
  for (;;) {
    const response = await fetch(`${url}/api/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: signin(buyer).join('; ') },
      body: JSON.stringify({ orderId, token: 'tok_visa' }),
    }).catch(() => undefined);
    if (!response) return;
    if (response.status !== 404) throw new Error(`the instance answered ${response.status} instead of dying`);
    // Polling: the instance has not taken the order in yet.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One crash at `crashAt`, then a fresh instance on the same database. */
async function crashThenRecover(crashAt: string, sweepIntervalMs?: number) {
  const database = await durableDatabase();
  const buyer = { id: randomUUID() };
  const order = newOrder({ userId: buyer.id, price: 30 });
  const { url, exited } = await startCrashingPayments(crashAt, database.env);
  // Through the bus, as orders would: the crashing instance keeps its copy from it.
  await publishEvent(jetstream(bus), Subjects.OrderCreated, order);

  await payUntilItDies(url, buyer, order.id);
  expect(await exited).toBe('SIGKILL');

  const opened = await database.open();
  const recovered = await startTestService(createPaymentsService({ sweepIntervalMs }), {
    nats: nats,
    database: opened,
    env: { PAYMENT_LEASE_SECONDS: LEASE_SECONDS },
  });
  return { database, opened, recovered, buyer, order };
}

/** The payment events the stream holds for the order. */
async function paymentEventsOf(orderId: string) {
  const events = await storedEvents(bus, { subjects: [Subjects.PaymentCreated, Subjects.PaymentRefunded] });
  return events.filter((event) => event.data.orderId === orderId).map((event) => event.subject);
}

describe('payments killed between the charge and recording it', () => {
  it(
    'finishes the charge on the next attempt without charging again: 201 with the first charge',
    async () => {
      // No sweep during this test: the retry alone must find the charge out.
      const { database, opened, recovered, buyer, order } = await crashThenRecover('after-charge', 3_600_000);
      try {
        expect(await paymentRow(opened, order.id)).toMatchObject({ status: 'pending', attempt: 1 });
        const [charge] = await successfulCharges(opened, order.id);
        expect(charge).toBeDefined();

        const retry = await request(recovered.server)
          .post('/api/payments')
          .set('Cookie', signin(buyer))
          .send({ orderId: order.id, token: 'tok_visa' });

        expect(retry.status).toBe(201);
        expect(retry.body.chargeId).toBe(charge!.chargeId);
        expect(await testCharges(opened, order.id)).toHaveLength(1);
        expect(await paymentRow(opened, order.id)).toMatchObject({ status: 'succeeded', chargeId: charge!.chargeId });
        // The charge is recorded: once the outbox is empty, every event queued is in the stream.
        await published(recovered);
        expect(await paymentEventsOf(order.id)).toEqual(['payment:created']);
      } finally {
        await recovered.close();
        await database.cleanUp();
      }
    },
    CRASH_TEST_MS,
  );

  it(
    'is found out by the sweep when nobody retries, and charged once',
    async () => {
      const { database, opened, recovered, order } = await crashThenRecover('after-charge');
      try {
        const row = await waitFor(
          async () => {
            const found = await paymentRow(opened, order.id);
            return found?.status === 'succeeded' ? found : undefined;
          },
          { message: 'the sweep to record the charge' },
        );

        const charges = await testCharges(opened, order.id);
        expect(charges).toEqual([expect.objectContaining({ outcome: 'succeeded', chargeId: row.chargeId })]);
        // The charge is recorded: once the outbox is empty, every event queued is in the stream.
        await published(recovered);
        expect(await paymentEventsOf(order.id)).toEqual(['payment:created']);
      } finally {
        await recovered.close();
        await database.cleanUp();
      }
    },
    CRASH_TEST_MS,
  );
});

describe('payments killed after writing the pending row, before calling the provider', () => {
  it(
    'is charged once, by the sweep sending the attempt the dead instance never sent',
    async () => {
      const { database, opened, recovered, order } = await crashThenRecover('before-charge');
      try {
        await waitFor(async () => (await paymentRow(opened, order.id))?.status === 'succeeded', {
          message: 'the sweep to finish the attempt',
        });

        expect(await successfulCharges(opened, order.id)).toHaveLength(1);
        expect(await testCharges(opened, order.id)).toHaveLength(1);
      } finally {
        await recovered.close();
        await database.cleanUp();
      }
    },
    CRASH_TEST_MS,
  );
});
