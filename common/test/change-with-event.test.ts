import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { Subjects } from '../src/events/subjects';
import { changeWithEvent } from '../src/outbox/enqueue-event';
import { outbox } from '../src/outbox/outbox-table';
import { ContractViolationError } from '../src/events/event-contracts';
import { createTestDatabase, type TestDatabase } from '../src/testing';
import { copySchema, ticketCopies, type CopySchema } from './fixtures/copy-schema';

let database: TestDatabase<CopySchema>;

beforeEach(async () => {
  database = await createTestDatabase({
    schema: copySchema,
    migrationsFolder: path.join(__dirname, 'fixtures', 'drizzle'),
  });
});

afterEach(async () => {
  await database.close();
});

const event = (id: string) => ({ id, version: 0, title: 'Gig', price: 10, userId: 'u1' });

describe('changeWithEvent', () => {
  it('makes the change and queues its event in one statement, returning the changed rows', async () => {
    const id = randomUUID();

    const rows = await changeWithEvent(
      database.db,
      sql`insert into ticket_copies (id, title, version) values (${id}, 'Gig', 0) returning *`,
      Subjects.TicketCreated,
      event(id),
    );

    expect(rows).toEqual([{ id, title: 'Gig', version: 0, applied: 1 }]);
    const queued = await database.db.select().from(outbox);
    expect(queued.map((row) => [row.subject, row.aggregate, row.data])).toEqual([['ticket:created', id, event(id)]]);
  });

  it('queues nothing when the change touched no row', async () => {
    const rows = await changeWithEvent(
      database.db,
      sql`update ticket_copies set version = version + 1 where id = ${randomUUID()} returning *`,
      Subjects.TicketCreated,
      event(randomUUID()),
    );

    expect(rows).toEqual([]);
    expect(await database.db.select().from(outbox)).toEqual([]);
  });

  it('keeps neither when the event cannot be queued, nor when the body breaks the contract', async () => {
    const id = randomUUID();
    await database.db.execute(sql`alter table outbox add constraint no_rows check (false) not valid`);

    await expect(
      changeWithEvent(
        database.db,
        sql`insert into ticket_copies (id, title, version) values (${id}, 'Gig', 0) returning *`,
        Subjects.TicketCreated,
        event(id),
      ),
    ).rejects.toThrow();
    await expect(
      changeWithEvent(
        database.db,
        sql`insert into ticket_copies (id, title, version) values (${id}, 'Gig', 0) returning *`,
        Subjects.TicketCreated,
        { ...event(id), price: -1 },
      ),
    ).rejects.toThrow(ContractViolationError);

    expect(await database.db.select().from(ticketCopies)).toEqual([]);
  });
});
