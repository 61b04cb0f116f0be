import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { count, eq } from 'drizzle-orm';
import { Listener, type MessageContext } from '../src/events/listener';
import { Subjects } from '../src/events/subjects';
import type { TicketUpdatedEvent } from '../src/events/ticket-updated-event';
import { handleOnce, pruneInbox } from '../src/inbox/handle-once';
import { inboxPruner } from '../src/service/inbox-pruner';
import { inbox } from '../src/inbox/inbox-table';
import { versionedCopy, versionStep } from '../src/inbox/version-order';
import { enqueueEvent } from '../src/outbox/enqueue-event';
import { outbox } from '../src/outbox/outbox-table';
import {
  createTestDatabase,
  lastVacuum,
  recordOutcomes,
  startNatsServer,
  waitFor,
  waitForConsumers,
  type TestDatabase,
  type TestNatsServer,
} from '../src/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connectWithStream, silent, STREAM, UpdatedPublisher } from './bus-helpers';
import { copySchema, ticketCopies, type CopySchema } from './fixtures/copy-schema';

const migrationsFolder = path.join(__dirname, 'fixtures', 'drizzle');

const copy = versionedCopy({
  table: ticketCopies,
  id: ticketCopies.id,
  version: ticketCopies.version,
  entity: 'ticket',
});

/** Keeps `ticket_copies` from ticket:updated, in version order, through the inbox. */
class TicketCopyListener extends Listener<TicketUpdatedEvent> {
  readonly subject = Subjects.TicketUpdated;

  constructor(
    client: NatsConnection,
    private readonly database: TestDatabase<CopySchema>,
    readonly queueGroupName = 'copy-service',
    private readonly afterApply: (tx: TestDatabase<CopySchema>['db']) => Promise<void> = async () => {},
  ) {
    super(client, silent);
  }

  async onMessage(data: TicketUpdatedEvent['data'], { msgId }: MessageContext): Promise<void> {
    await handleOnce(this.database.db, this.durableName, msgId, async (tx) => {
      await copy.apply(tx, data, async () => {
        if (data.version === 0) {
          await tx.insert(ticketCopies).values({ id: data.id, title: data.title, version: 0 });
        } else {
          const [row] = await tx.select().from(ticketCopies).where(eq(ticketCopies.id, data.id));
          await tx
            .update(ticketCopies)
            .set({ title: data.title, version: data.version, applied: row!.applied + 1 })
            .where(eq(ticketCopies.id, data.id));
        }
      });
      await this.afterApply(tx);
    });
  }
}

function version(id: string, n: number): TicketUpdatedEvent['data'] {
  return { id, version: n, title: `v${n}`, price: 10, userId: 'seller', orderId: null };
}

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

let server: TestNatsServer;
let nc: NatsConnection;
let database: TestDatabase<CopySchema>;
const toClose: { close(): Promise<unknown> }[] = [];

/** A nats-server for the file; each test gets an empty stream and a fresh database. */
function withBusAndDatabase() {
  beforeAll(async () => {
    server = await startNatsServer();
  });

  beforeEach(async () => {
    nc = await connectWithStream(server);
    await (await jetstreamManager(nc)).streams.purge(STREAM);
    database = await createTestDatabase({ schema: copySchema, migrationsFolder });
  });

  afterEach(async () => {
    for (const item of toClose.splice(0).reverse()) await item.close();
    await database.close();
    await nc.close();
  });

  afterAll(async () => {
    await server.destroy();
  });
}

async function copyOf(db: TestDatabase<CopySchema>, id: string) {
  const [row] = await db.db.select().from(ticketCopies).where(eq(ticketCopies.id, id));
  return row;
}

describe('versionStep', () => {
  test.each([
    [undefined, 0, 'apply'],
    [undefined, 3, 'early'],
    [0, 1, 'apply'],
    [4, 5, 'apply'],
    [4, 4, 'stale'],
    [4, 2, 'stale'],
    [4, 0, 'stale'],
    [4, 6, 'early'],
  ] as const)('with the copy at %s, version %s is %s', (current, incoming, step) => {
    expect(versionStep(current, incoming)).toBe(step);
  });
});

describe('a copy kept in version order through the inbox', () => {
  withBusAndDatabase();

  it('ends at the last version when 50 versions arrive shuffled, each applied once', async () => {
    const id = randomUUID();
    const publisher = new UpdatedPublisher(nc);
    for (const n of shuffled(Array.from({ length: 50 }, (_, n) => n))) await publisher.publish(version(id, n));
    const listener = new TicketCopyListener(nc, database);
    const outcomes = recordOutcomes(listener);
    toClose.push(listener);

    await listener.listen();

    // Generous: on a loaded machine the early versions may wait out their hold and be redelivered.
    await waitFor(async () => (await copyOf(database, id))?.version === 49, { timeoutMs: 40_000, message: 'v49' });
    // Every version acked (or terminated): no delivery is left that could apply one again.
    await waitForConsumers(nc, { durables: [listener.durableName], timeoutMs: 40_000 });
    expect(await copyOf(database, id)).toEqual({ id, title: 'v49', version: 49, applied: 50 });
    expect(outcomes.filter((o) => o.outcome === 'term')).toEqual([]);
    expect(new Set(outcomes.filter((o) => o.outcome === 'ack').map((o) => o.seq)).size).toBe(50);
  }, 60_000);

  it('holds an early version until its predecessor is applied here, then applies it without a redelivery', async () => {
    const id = randomUUID();
    const publisher = new UpdatedPublisher(nc);
    const early = await publisher.publish(version(id, 1));
    const first = await publisher.publish(version(id, 0));
    const listener = new TicketCopyListener(nc, database);
    const outcomes = recordOutcomes(listener);
    toClose.push(listener);

    await listener.listen();

    await waitFor(() => outcomes.length === 2, { message: 'both outcomes' });
    expect(outcomes.map((o) => [o.outcome, o.seq, o.deliveryCount])).toEqual([
      ['ack', first, 1],
      ['ack', early, 1],
    ]);
    expect(await copyOf(database, id)).toMatchObject({ version: 1, applied: 2 });
  });

  it('ignores a version it already has, and a message it already handled', async () => {
    const id = randomUUID();
    const publisher = new UpdatedPublisher(nc);
    const listener = new TicketCopyListener(nc, database);
    toClose.push(listener);
    await listener.listen();
    await publisher.publish(version(id, 0));
    await publisher.publish(version(id, 1));
    await waitFor(async () => (await copyOf(database, id))?.version === 1, { message: 'v1' });

    await publisher.publish({ ...version(id, 1), title: 'a replayed v1' });
    const msgId = randomUUID();
    await publisher.publish(version(id, 2), { msgId });
    await waitFor(async () => (await copyOf(database, id))?.version === 2, { message: 'v2' });
    const again = await handleOnce(database.db, listener.durableName, msgId, async () => {
      throw new Error('must not run for a handled message');
    });

    expect(again).toBe(false);
    // Every message acked: the replayed v1 and everything else has had whatever effect it will have.
    await waitForConsumers(nc, { durables: [listener.durableName] });
    expect(await copyOf(database, id)).toEqual({ id, title: 'v2', version: 2, applied: 3 });
  });

  it('rebuilds the same copy from the stream on an empty database (deliver all)', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const publisher = new UpdatedPublisher(nc);
    for (const id of ids) for (let n = 0; n < 4; n++) await publisher.publish(version(id, n));
    const first = new TicketCopyListener(nc, database);
    toClose.push(first);
    await first.listen();
    await waitFor(
      async () => (await Promise.all(ids.map((id) => copyOf(database, id)))).every((c) => c?.version === 3),
      {
        message: 'the first copy',
      },
    );

    const fresh = await createTestDatabase({ schema: copySchema, migrationsFolder });
    toClose.push(fresh);
    const rebuilt = new TicketCopyListener(nc, fresh, 'copy-service-rebuilt');
    toClose.push(rebuilt);
    await rebuilt.listen();

    await waitFor(async () => (await Promise.all(ids.map((id) => copyOf(fresh, id)))).every((c) => c?.version === 3), {
      message: 'the rebuilt copy',
    });
    const original = await database.db.select().from(ticketCopies).orderBy(ticketCopies.id);
    expect(await fresh.db.select().from(ticketCopies).orderBy(ticketCopies.id)).toEqual(original);
  });

  it("commits the handler's events with its inbox row, and neither when the handler fails", async () => {
    let failNext = true;
    const listener = new TicketCopyListener(nc, database, 'copy-service', async (tx) => {
      await enqueueEvent(tx, Subjects.ExpirationComplete, { orderId: randomUUID() });
      if (failNext) {
        failNext = false;
        throw new Error('failing after the event was queued');
      }
    });
    const outcomes = recordOutcomes(listener);
    toClose.push(listener);
    await listener.listen();

    await new UpdatedPublisher(nc).publish(version(randomUUID(), 0));

    await waitFor(() => outcomes.some((o) => o.outcome === 'ack'), { message: 'the ack' });
    expect(outcomes.map((o) => o.outcome)).toEqual(['nak', 'ack']);
    const [queued] = await database.db.select({ n: count() }).from(outbox);
    const [handled] = await database.db.select({ n: count() }).from(inbox);
    expect([queued!.n, handled!.n]).toEqual([1, 1]);
  });
});

describe('pruneInbox', () => {
  withBusAndDatabase();

  it('deletes only rows handled before the given time', async () => {
    await database.db.insert(inbox).values([
      { consumer: 'c', messageId: 'old', handledAt: new Date(Date.now() - 8 * 86_400_000) },
      { consumer: 'c', messageId: 'new' },
    ]);

    expect(await pruneInbox(database.db, new Date(Date.now() - 7 * 86_400_000))).toBe(1);

    expect((await database.db.select().from(inbox)).map((row) => row.messageId)).toEqual(['new']);
  });

  it('is run by the inbox pruner, which then has the embedded database reclaim the room', async () => {
    await database.db.insert(inbox).values({
      consumer: 'c',
      messageId: 'old',
      handledAt: new Date(Date.now() - 8 * 86_400_000),
    });
    const pruner = inboxPruner(database, silent);

    pruner.start();
    await pruner.stop();

    expect(await database.db.select().from(inbox)).toEqual([]);
    if (database.kind === 'pglite') expect(await lastVacuum(database, 'inbox')).not.toBeNull();
  });
});
