import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { openDatabase, type Database } from '../db/open-database';
import { createPglite, defaultInitdbCacheDir } from '../db/pglite-initdb';

/** The schema and migrations of the service under test. */
export interface TestDatabaseOptions<TSchema extends Record<string, unknown>> {
  schema: TSchema;
  migrationsFolder: string;
}

/** A test database; `url` is set when it lives on a server, so a test can open a second pool (a replica). */
export type TestDatabase<TSchema extends Record<string, unknown>> = Database<TSchema> & { url?: string };

/**
 * A fresh, migrated, empty database for one test file. With `TEST_DATABASE_URL` set (the
 * real-PostgreSQL tier) it is a new database on that server, dropped on `close()`;
 * otherwise an in-memory PGlite loaded from a migrated template, built once per set of
 * migrations and cached in the temp folder (a load takes well under a second, a fresh
 * instance several).
 */
export async function createTestDatabase<TSchema extends Record<string, unknown>>(
  options: TestDatabaseOptions<TSchema>,
): Promise<TestDatabase<TSchema>> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  return serverUrl ? createServerDatabase(options, serverUrl) : createPgliteDatabase(options);
}

/**
 * A database migrated for these migrations on the server, made once (by whichever test file
 * asks first; the others wait on an advisory lock) and copied for each test file: a copy
 * takes milliseconds where running the migrations takes a good part of a second.
 */
async function serverTemplate(admin: pg.Client, serverUrl: string, migrationsFolder: string): Promise<string> {
  const name = `template_${await migrationsHash(migrationsFolder)}`;
  const exists = async () => (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
  if (await exists()) return name;
  await admin.query('select pg_advisory_lock(hashtext($1))', [name]);
  try {
    if (await exists()) return name;
    const building = `${name}_building_${process.pid}`;
    await admin.query(`drop database if exists ${building}`);
    await admin.query(`create database ${building}`);
    const url = new URL(serverUrl);
    url.pathname = `/${building}`;
    const database = await openDatabase({ schema: {}, migrationsFolder, url: url.toString() });
    await database.close();
    // Renamed only once whole: a file that finds it may copy it.
    await admin.query(`alter database ${building} rename to ${name}`);
    return name;
  } finally {
    await admin.query('select pg_advisory_unlock(hashtext($1))', [name]);
  }
}

async function createServerDatabase<TSchema extends Record<string, unknown>>(
  options: TestDatabaseOptions<TSchema>,
  serverUrl: string,
): Promise<TestDatabase<TSchema>> {
  const name = `test_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const template = await serverTemplate(admin, serverUrl, options.migrationsFolder);
    await admin.query(`create database ${name} template ${template}`);
  } finally {
    await admin.end();
  }

  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ ...options, url: url.toString() });
  return {
    ...database,
    url: url.toString(),
    close: async () => {
      await database.close();
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

async function createPgliteDatabase<TSchema extends Record<string, unknown>>(
  options: TestDatabaseOptions<TSchema>,
): Promise<Database<TSchema>> {
  const template = await migratedTemplate(options);
  const pglite = await PGlite.create({ loadDataDir: new Blob([template]) });
  return openDatabase({ ...options, pglite });
}

async function migratedTemplate(options: TestDatabaseOptions<Record<string, unknown>>): Promise<Buffer> {
  const key = await migrationsHash(options.migrationsFolder);
  const dir = path.join(tmpdir(), 'ticketing-pglite-templates');
  const file = path.join(dir, `${key}.tar.gz`);
  try {
    return await readFile(file);
  } catch {
    // Not built yet for these migrations.
  }
  // From the kept result of initdb, as a service's new folder is: a new instance would run it again.
  const { client: pglite } = await createPglite(undefined, { cacheDir: defaultInitdbCacheDir() });
  const database = await openDatabase({ ...options, pglite });
  const dump = Buffer.from(await (await pglite.dumpDataDir('gzip')).arrayBuffer());
  await database.close();
  await mkdir(dir, { recursive: true });
  // Parallel test workers may build the same template: write aside, then rename atomically.
  const partial = `${file}.${process.pid}.${randomUUID()}`;
  await writeFile(partial, dump);
  await rename(partial, file);
  return dump;
}

async function migrationsHash(folder: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else hash.update(entry.name).update(await readFile(full));
    }
  };
  await walk(folder);
  return hash.digest('hex').slice(0, 16);
}

/** When `table` was last vacuumed by hand (not by autovacuum), or null. */
export async function lastVacuum(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  database: Database<any>,
  table: string,
): Promise<string | null> {
  const result = (await database.db.execute(
    sql`select last_vacuum from pg_stat_user_tables where relname = ${table}`,
  )) as unknown as { rows: { last_vacuum: string | null }[] };
  return result.rows[0]?.last_vacuum ?? null;
}
