import path from 'node:path';
import { inbox } from '../src/inbox/inbox-table';
import { inboxPruner } from '../src/service/inbox-pruner';
import { createTestDatabase, lastVacuum, type TestDatabase } from '../src/testing';
import { silent } from './bus-helpers';
import { copySchema, type CopySchema } from './fixtures/copy-schema';

// What the inbox needs of the embedded database alone: PGlite has no autovacuum, so the
// pruner that deletes handled rows has it reclaim their room. (The inbox's other cases are
// the same SQL on both kinds and run on the server, in copies.test.ts.)
const migrationsFolder = path.join(__dirname, 'fixtures', 'drizzle');

let database: TestDatabase<CopySchema>;

beforeEach(async () => {
  database = await createTestDatabase({ schema: copySchema, migrationsFolder });
}, 60_000);

afterEach(async () => {
  await database.close();
});

it('the inbox pruner deletes rows handled before the retention, then has the embedded database vacuum the inbox', async () => {
  expect(database.kind).toBe('pglite');
  await database.db.insert(inbox).values([
    { consumer: 'c', messageId: 'old', handledAt: new Date(Date.now() - 8 * 86_400_000) },
    { consumer: 'c', messageId: 'new' },
  ]);
  expect(await lastVacuum(database, 'inbox')).toBeNull();
  const pruner = inboxPruner(database, silent);

  pruner.start();
  await pruner.stop();

  expect((await database.db.select().from(inbox)).map((row) => row.messageId)).toEqual(['new']);
  expect(await lastVacuum(database, 'inbox')).not.toBeNull();
});
