import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { openDatabase, type Database } from '../src/db/open-database';
import { copySchema as schema, ticketCopies, type CopySchema } from './fixtures/copy-schema';

const MIGRATIONS = path.join(__dirname, 'fixtures', 'drizzle');

/** A logger whose lines the test reads. */
function recordingLogger() {
  const lines: { msg: string; origin?: string; level: number }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines, origin: () => lines.find((line) => line.msg === 'embedded database ready')?.origin };
}

async function open(dataDir: string, initdbCacheDir: string | false) {
  const log = recordingLogger();
  const database = await openDatabase({
    schema,
    migrationsFolder: MIGRATIONS,
    dataDir,
    initdbCacheDir,
    logger: log.logger,
  });
  return { database, ...log };
}

async function works(database: Database<CopySchema>) {
  const id = randomUUID();
  await database.db.insert(ticketCopies).values({ id, title: 'concert', version: 0 });
  const [row] = await database.db.select().from(ticketCopies);
  expect(row).toMatchObject({ id, title: 'concert' });
  // The service's settings apply to a folder laid out from the cache as to any other.
  const shown = (await database.db.execute(sql`show shared_buffers`)) as unknown as {
    rows: { shared_buffers: string }[];
  };
  expect(shown.rows[0]!.shared_buffers).toBe('16MB');
  return id;
}

describe('a new embedded database folder', () => {
  let dir: string;
  let cache: string;
  const opened: Database<CopySchema>[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ticketing-initdb-'));
    cache = path.join(dir, 'cache');
  });

  afterEach(async () => {
    for (const database of opened.splice(0)) await database.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function cached(): Promise<string> {
    const files = await readdir(cache);
    expect(files).toEqual([expect.stringMatching(/^pglite-\d+\.\d+\.\d+-initdb\.tar\.gz$/)]);
    return path.join(cache, files[0]!);
  }

  it('is laid out from initdb made once and kept: the next new folder does not run it again', async () => {
    const first = await open(path.join(dir, 'a'), cache);
    opened.push(first.database);
    expect(first.origin()).toBe('template');
    const file = await cached();
    const made = statSync(file);
    expect(made.mode & 0o777).toBe(0o600);
    gunzipSync(readFileSync(file));
    await works(first.database);

    const second = await open(path.join(dir, 'b'), cache);
    opened.push(second.database);
    expect(second.origin()).toBe('template');
    // Read, not made again.
    expect((await stat(file)).mtimeMs).toBe(made.mtimeMs);
    const id = await works(second.database);

    // What it holds is kept like any database: closed and opened again, it resumes.
    await second.database.close();
    const again = await open(path.join(dir, 'b'), cache);
    opened.push(again.database);
    expect(again.origin()).toBe('existing');
    expect(await again.database.db.select().from(ticketCopies)).toEqual([expect.objectContaining({ id })]);
  }, 60_000);

  it('makes a damaged cache again, and the folder is whole', async () => {
    const first = await open(path.join(dir, 'a'), cache);
    opened.push(first.database);
    const file = await cached();
    // A file cut short (a full disk, a copy interrupted) must never reach a data folder.
    await writeFile(file, readFileSync(file).subarray(0, 100_000));

    const second = await open(path.join(dir, 'b'), cache);
    opened.push(second.database);
    expect(second.origin()).toBe('template');
    expect(second.lines.some((line) => line.msg === 'the cached initdb is damaged; making it again')).toBe(true);
    gunzipSync(readFileSync(file));
    await works(second.database);
  }, 60_000);

  it('opens where nothing can be kept, and runs initdb in the folder when told not to cache', async () => {
    // A cache folder that cannot be made (its parent is a file), as in a read-only image.
    await writeFile(path.join(dir, 'file'), 'x');
    const unkept = await open(path.join(dir, 'a'), path.join(dir, 'file', 'cache'));
    opened.push(unkept.database);
    expect(unkept.origin()).toBe('template');
    expect(
      unkept.lines.some((line) => line.msg === 'cannot keep initdb for the next new database; using it once'),
    ).toBe(true);
    await works(unkept.database);

    const uncached = await open(path.join(dir, 'b'), false);
    opened.push(uncached.database);
    expect(uncached.origin()).toBe('initdb');
    await works(uncached.database);
  }, 60_000);
});
