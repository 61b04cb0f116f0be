import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { count, eq } from 'drizzle-orm';
import type { MessageContext } from '../src/events/listener';
import { Subjects } from '../src/events/subjects';
import type { TicketUpdatedEvent } from '../src/events/ticket-updated-event';
import { InboxListener, type AfterCommit } from '../src/inbox/inbox-listener';
import { createTestDatabase, type TestDatabase } from '../src/testing';
import { silent } from './bus-helpers';
import { copySchema, ticketCopies, type CopySchema } from './fixtures/copy-schema';

const migrationsFolder = path.join(__dirname, 'fixtures', 'drizzle');

/** Inserts a copy of each ticket and asks, once committed, to be told which; a title "fail" throws after its insert. */
class NotifyingListener extends InboxListener<TicketUpdatedEvent, CopySchema> {
  readonly subject = Subjects.TicketUpdated;
  readonly queueGroupName = 'inbox-listener-test';
  /** One per callback run, pushed as it runs: what it saw of the database. */
  readonly told: Promise<{ id: string; committed: boolean }>[] = [];

  async handle(data: TicketUpdatedEvent['data'], tx: TestDatabase<CopySchema>['db']): Promise<AfterCommit> {
    await tx.insert(ticketCopies).values({ id: data.id, title: data.title, version: data.version });
    if (data.title === 'fail') throw new Error('the handler failed');
    return () => void this.told.push(this.seen(data.id));
  }

  /** Whether another connection sees the copy: its transaction has committed. */
  private async seen(id: string) {
    const [row] = await this.database.db.select({ n: count() }).from(ticketCopies).where(eq(ticketCopies.id, id));
    return { id, committed: row?.n === 1 };
  }
}

const ticket = (title: string): TicketUpdatedEvent['data'] => ({
  id: randomUUID(),
  version: 0,
  title,
  price: 10,
  userId: randomUUID(),
});
const delivery = (msgId: string): MessageContext => ({
  subject: Subjects.TicketUpdated,
  seq: 1,
  msgId,
  deliveryCount: 1,
  timestamp: new Date(),
});

let database: TestDatabase<CopySchema>;
let listener: NotifyingListener;

beforeAll(async () => {
  database = await createTestDatabase({ schema: copySchema, migrationsFolder });
  // Messages are handed to onMessage here as the base class would; the connection is never used.
  listener = new NotifyingListener(undefined as unknown as NatsConnection, database, silent);
});
afterAll(() => database.close());

describe('InboxListener', () => {
  it('runs what a handler asks for after its transaction commits, once: never for a redelivery', async () => {
    const data = ticket('first');
    const msgId = randomUUID();

    await listener.onMessage(data, delivery(msgId));
    await listener.onMessage(data, { ...delivery(msgId), deliveryCount: 2 });

    expect(await Promise.all(listener.told)).toEqual([{ id: data.id, committed: true }]);
  });

  it('never runs it for a handler that failed: its transaction rolled back', async () => {
    const data = ticket('fail');

    await expect(listener.onMessage(data, delivery(randomUUID()))).rejects.toThrow('the handler failed');

    expect((await Promise.all(listener.told)).filter((t) => t.id === data.id)).toEqual([]);
    expect(await database.db.select().from(ticketCopies).where(eq(ticketCopies.id, data.id))).toEqual([]);
  });
});
