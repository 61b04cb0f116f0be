import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { openDatabase, type Database } from '../src/db/open-database';
import { initdbResult } from '../src/db/pglite-initdb';
import { copySchema as schema, ticketCopies, type CopySchema } from './fixtures/copy-schema';

const MIGRATIONS = path.join(__dirname, 'fixtures', 'drizzle');

/** A logger whose lines the test reads. */
function recordingLogger() {
  const lines: { msg: string; origin?: string; level: number }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return {
    logger,
    lines,
    origin: () => lines.find((line) => line.msg === 'embedded database ready')?.origin,
    said: (msg: string) => lines.some((line) => line.msg === msg),
  };
}

async function open(dataDir: string | undefined, initdbCacheDir: string | false) {
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

  // A kept result for the tests that start from one, made once for the file (by the first).
  let shared: string;
  beforeAll(async () => {
    shared = await mkdtemp(path.join(tmpdir(), 'ticketing-initdb-kept-'));
  });
  afterAll(async () => {
    await rm(shared, { recursive: true, force: true });
  });
  async function seedCache(): Promise<void> {
    await initdbResult(shared);
    const [name] = await readdir(shared);
    await mkdir(cache, { recursive: true });
    await copyFile(path.join(shared, name!), path.join(cache, name!));
  }

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

  it('is laid out from initdb made once and kept: the next new folder does not make it again', async () => {
    // Kept in the file's shared folder, empty until now: the tests after this one start from
    // what it makes instead of running initdb once more.
    cache = shared;
    const first = await open(path.join(dir, 'a'), cache);
    opened.push(first.database);
    expect(first.origin()).toBe('template');
    expect(first.said('made the initdb result for new databases')).toBe(true);
    const file = await cached();
    const made = statSync(file);
    expect(made.mode & 0o777).toBe(0o600);
    gunzipSync(readFileSync(file));
    await works(first.database);
    // Nothing of the laying out is left in the folder.
    expect(existsSync(path.join(dir, 'a', 'ticketing-laying-out'))).toBe(false);

    const second = await open(path.join(dir, 'b'), cache);
    opened.push(second.database);
    expect(second.origin()).toBe('template');
    // Read, not made again: the same file, not a new one renamed over it.
    expect(second.said('made the initdb result for new databases')).toBe(false);
    expect(statSync(file).ino).toBe(made.ino);
    const id = await works(second.database);

    // What it holds is kept like any database: closed and opened again, it resumes.
    await second.database.close();
    const again = await open(path.join(dir, 'b'), cache);
    opened.push(again.database);
    expect(again.origin()).toBe('existing');
    expect(await again.database.db.select().from(ticketCopies)).toEqual([expect.objectContaining({ id })]);
  }, 90_000);

  it('is made once by processes starting together, the others waiting for it', async () => {
    const folders = ['a', 'b', 'c'].map((name) => path.join(dir, name));
    const opening = await Promise.all(folders.map((folder) => open(folder, cache)));
    opened.push(...opening.map((o) => o.database));
    expect(opening.filter((o) => o.said('made the initdb result for new databases'))).toHaveLength(1);
    expect(opening.map((o) => o.origin())).toEqual(['template', 'template', 'template']);
    expect(await readdir(cache)).toHaveLength(1);
    for (const o of opening) await works(o.database);
  }, 90_000);

  it('makes a damaged result again, and the folder is whole', async () => {
    await seedCache();
    const file = await cached();
    // A file cut short (a full disk, a copy interrupted) must never reach a data folder.
    await writeFile(file, readFileSync(file).subarray(0, 100_000));

    const second = await open(path.join(dir, 'b'), cache);
    opened.push(second.database);
    expect(second.origin()).toBe('template');
    expect(second.said('the kept initdb result is damaged; making it again')).toBe(true);
    gunzipSync(readFileSync(file));
    await works(second.database);
  }, 90_000);

  it('lays out again a folder whose laying out was cut short, instead of taking it for a database', async () => {
    await seedCache();
    // As a kill mid-load leaves it: some of the files, PG_VERSION among them, and the mark.
    const folder = path.join(dir, 'b');
    await mkdir(folder, { mode: 0o700 });
    await writeFile(path.join(folder, 'ticketing-laying-out'), '');
    await writeFile(path.join(folder, 'PG_VERSION'), '17\n');
    await mkdir(path.join(folder, 'base'));

    const second = await open(folder, cache);
    opened.push(second.database);
    expect(second.said('the database folder was not fully laid out when its process ended; laying it out again')).toBe(
      true,
    );
    expect(second.origin()).toBe('template');
    await works(second.database);
  }, 90_000);

  it('lays an in-memory database out from it too', async () => {
    await seedCache();
    const memory = await open(undefined, cache);
    opened.push(memory.database);
    expect(memory.origin()).toBe('template');
    await works(memory.database);
  }, 90_000);

  it('runs initdb where nothing can be kept (a read-only image)', async () => {
    // A cache folder that cannot be made (its parent is a file).
    await writeFile(path.join(dir, 'file'), 'x');
    const unkept = await open(path.join(dir, 'a'), path.join(dir, 'file', 'cache'));
    opened.push(unkept.database);
    expect(unkept.origin()).toBe('initdb');
    expect(unkept.said('cannot keep the initdb result here; each new database runs initdb')).toBe(true);
    await works(unkept.database);
  }, 90_000);
});
