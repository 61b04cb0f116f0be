import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import type { Logger } from 'pino';
import { lockDirectory, type DirectoryLock } from '../../lib/dir-lock.cjs';
import { makePrivate } from '../../lib/private-files.cjs';
import { listenForNotifications } from './pg-notifications';
import { clientForDrizzle } from './pglite-client';
import { createPglite, defaultInitdbCacheDir, type PgliteOrigin } from './pglite-initdb';

/** A Drizzle handle over either driver; queries and transactions read the same. */
export type Db<TSchema extends Record<string, unknown>> = PgDatabase<PgQueryResultHKT, TSchema>;

/** A service's open database: the handle plus what operations need (one session, a ping, close). */
export interface Database<TSchema extends Record<string, unknown>> {
  readonly db: Db<TSchema>;
  /** `pglite` for the embedded database, `postgres` for a server. */
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` on one connection, e.g. to hold a session-level advisory lock. */
  withSession<T>(fn: (db: Db<TSchema>) => Promise<T>): Promise<T>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /**
   * Reclaims the room of a table's deleted and replaced rows, in it and its indexes. PGlite
   * runs PostgreSQL single-user, without autovacuum: a table that keeps changing (the outbox,
   * the inbox) grows, and scans of it slow down, until someone asks. A server's autovacuum
   * does this on its own, so there it does nothing.
   */
  vacuum(table: string): Promise<void>;
  /**
   * Calls `onNotify` for each NOTIFY on `channel` (delivered at commit); resolves with a
   * function that stops listening. Notifications may be missed while a server is away.
   */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  /** Closes the pool or the embedded instance. Idempotent. */
  close(): Promise<void>;
}

/** Where a service's data lives and how to bring its schema up to date. */
export interface OpenDatabaseOptions<TSchema extends Record<string, unknown>> {
  schema: TSchema;
  /** The folder of generated SQL migrations (drizzle-kit). */
  migrationsFolder: string;
  /** A postgres:// URL; when absent the embedded PGlite is used. */
  url?: string;
  /**
   * PGlite's data folder; absent means in memory. The process holds an exclusive lock on it
   * while open (a second opener fails at once, naming the holder's pid) and keeps it private.
   */
  dataDir?: string;
  /** Who holds the data folder, for the message a second opener gets (e.g. the service's name). */
  owner?: string;
  /** An already-open PGlite instance to use instead (tests load one from a template). */
  pglite?: PGlite;
  /**
   * Where the initdb result a new PGlite database (a new folder, or in memory) is laid out
   * from is kept (`node_modules/.cache/ticketing` by default); false runs initdb for each.
   */
  initdbCacheDir?: string | false;
  /**
   * Collect what starting PGlite left behind just after the open (see releaseStartupMemory).
   * A service sets it; a process that opens databases by the dozen, such as a test run, has
   * its own garbage collector's timing and need not pause for two full collections each.
   */
  releaseStartupMemory?: boolean;
  /** Connections in the node-postgres pool. */
  poolSize?: number;
  logger?: Logger;
}

/**
 * The embedded database holds one service's data (megabytes) in one process: 16 MB of
 * shared buffers instead of PostgreSQL's 128 MB keeps a service's memory near half of what
 * it was, with every table still in memory.
 */
const PGLITE_SETTINGS = ['shared_buffers=16MB'];

// Any constant will do, as long as every replica of a service uses the same one.
const MIGRATION_LOCK_KEY = 0x7469636b; // "tick"

/**
 * Opens a service's database — PGlite when there is no URL, node-postgres otherwise —
 * and applies pending migrations on one connection under an advisory lock, so replicas
 * starting together migrate once.
 */
export async function openDatabase<TSchema extends Record<string, unknown>>(
  options: OpenDatabaseOptions<TSchema>,
): Promise<Database<TSchema>> {
  return options.url ? openPostgres(options, options.url) : openPglite(options);
}

async function openPglite<TSchema extends Record<string, unknown>>(
  options: OpenDatabaseOptions<TSchema>,
): Promise<Database<TSchema>> {
  let lock: DirectoryLock | undefined;
  let client: PGlite;
  let origin: PgliteOrigin | 'given' = 'given';
  try {
    if (options.pglite) {
      client = options.pglite;
    } else {
      if (options.dataDir) {
        // Two processes on one PGlite folder corrupt it: only one may open it.
        lock = await lockDirectory(options.dataDir, { owner: options.owner });
        makePrivate(options.dataDir);
      }
      ({ client, origin } = await createPglite(options.dataDir, {
        settings: PGLITE_SETTINGS,
        cacheDir: options.initdbCacheDir ?? defaultInitdbCacheDir(),
        logger: options.logger,
      }));
    }
    // PGlite lays a new folder out with mode 0666 files whatever the umask; PostgreSQL itself
    // creates its later files 0600.
    if (lock && options.dataDir) makePrivate(options.dataDir);
  } catch (error) {
    await lock?.release();
    throw error;
  }
  const db = drizzlePglite({
    client: clientForDrizzle(client) as PGlite,
    schema: options.schema,
  }) as unknown as Db<TSchema>;
  try {
    await migratePglite(db as never, { migrationsFolder: options.migrationsFolder });
  } catch (error) {
    if (!options.pglite) await client.close().catch(() => undefined);
    await lock?.release();
    throw error;
  }
  options.logger?.info({ dataDir: options.dataDir ?? 'memory', origin }, 'embedded database ready');
  // What starting left behind is still reachable until this call has returned: collect just after.
  if (options.releaseStartupMemory) setTimeout(() => void releaseStartupMemory(options.logger), 0).unref();
  let closed: Promise<void> | undefined;
  return {
    db,
    kind: 'pglite',
    // PGlite is one connection in one process: every query already shares the session.
    withSession: (fn) => fn(db),
    ping: async () => {
      await client.query('select 1');
    },
    vacuum: async (table) => {
      await client.exec(`vacuum ${quoteIdentifier(table)}`);
    },
    listen: async (channel, onNotify) => {
      const unlisten = await client.listen(channel, () => onNotify());
      return () => unlisten();
    },
    close: () =>
      (closed ??= (async () => {
        if (!client.closed) await client.close();
        await lock?.release();
      })()),
  };
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Starting PGlite leaves several hundred megabytes behind (the memory of the WebAssembly
 * instance that prepared the data folder, the files it read), which V8 would otherwise
 * keep until some later full collection: a service sat at ~700 MB instead of ~300 MB.
 */
async function releaseStartupMemory(logger?: Logger): Promise<void> {
  const before = process.memoryUsage.rss();
  await collectGarbage();
  const mb = (bytes: number) => Math.round(bytes / 1_048_576);
  logger?.info({ rssMbBefore: mb(before), rssMb: mb(process.memoryUsage.rss()) }, 'released start-up memory');
}

/**
 * A full collection now, in two passes: what the first finds dead is let go of on the next
 * turn of the event loop, and the second frees the memory behind it.
 */
export async function collectGarbage(): Promise<void> {
  // Exposing the collector at run time is the documented use of --expose-gc without asking
  // every way a service is started (runner, image, tests) to pass the flag.
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  await new Promise((resolve) => setTimeout(resolve, 0));
  gc();
}

async function openPostgres<TSchema extends Record<string, unknown>>(
  options: OpenDatabaseOptions<TSchema>,
  url: string,
): Promise<Database<TSchema>> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    // A server that stops answering fails the query (503) instead of hanging the request.
    query_timeout: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', (error) => options.logger?.warn({ err: error }, 'idle database connection failed'));
  // The pool listens for errors only on idle connections. One that the server drops while it
  // is checked out (a restart between two statements of a transaction, a relay holding its
  // lock) would emit an error nobody listens to and end the process: the statement in
  // progress fails on its own, and the pool discards the connection when it comes back.
  pool.on('connect', (client) =>
    client.on('error', (error) => options.logger?.warn({ err: error }, 'database connection lost while in use')),
  );

  const migrator = await pool.connect();
  try {
    await migrator.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migratePg(drizzlePg({ client: migrator }), { migrationsFolder: options.migrationsFolder });
    } finally {
      await migrator.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } catch (error) {
    migrator.release(true);
    await pool.end();
    throw error;
  }
  migrator.release();

  const db = drizzlePg({ client: pool, schema: options.schema }) as unknown as Db<TSchema>;
  options.logger?.info({ host: new URL(url).host }, 'database ready');
  let closed: Promise<void> | undefined;
  return {
    db,
    kind: 'postgres',
    withSession: async (fn) => {
      const client = await pool.connect();
      let broken = false;
      try {
        return await fn(drizzlePg({ client, schema: options.schema }) as unknown as Db<TSchema>);
      } catch (error) {
        broken = true;
        throw error;
      } finally {
        // A failed session may hold a lock or an aborted transaction: never reuse it.
        client.release(broken);
      }
    },
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    vacuum: async () => undefined,
    listen: (channel, onNotify) => listenForNotifications(url, channel, onNotify, options.logger),
    close: () => (closed ??= pool.end()),
  };
}
