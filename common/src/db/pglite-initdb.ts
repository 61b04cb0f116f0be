import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import type { Logger } from 'pino';

/**
 * How a PGlite data folder came to be: it held a database already, it was laid out from the
 * cached result of initdb, or initdb ran in it (no cache to be had).
 */
export type PgliteOrigin = 'existing' | 'template' | 'initdb';

/**
 * Where the result of initdb is kept: `node_modules/.cache/ticketing`, next to the PGlite it
 * was made by, so a reinstall or an upgrade starts afresh and nothing outside the checkout
 * (or image) is written.
 */
export function defaultInitdbCacheDir(): string | false {
  const entry = require.resolve('@electric-sql/pglite');
  const at = entry.lastIndexOf(`${path.sep}node_modules${path.sep}`);
  if (at < 0) return false; // bundled: no node_modules to keep it in
  return path.join(entry.slice(0, at), 'node_modules', '.cache', 'ticketing');
}

function pgliteVersion(): string {
  const entry = require.resolve('@electric-sql/pglite');
  const packageDir = entry.slice(0, entry.lastIndexOf(`${path.sep}dist${path.sep}`));
  return (JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Opens PGlite on `dataDir`. A new folder is laid out from initdb's result for this PGlite
 * version, made once in memory and kept (gzipped, ~4.5 MB) in `cacheDir`: initdb written
 * through to disk costs ~8 s of CPU, loading its result ~1.5 s, and every new folder after
 * the first (a new DATA_DIR, each test stack) pays only the load. The result is the same
 * folder initdb would have written. Any trouble with the cache (unwritable, damaged) falls
 * back to initdb in the folder, as PGlite does on its own.
 */
export async function createPgliteOnDisk(
  dataDir: string,
  options: { settings: string[]; cacheDir: string | false; logger?: Logger },
): Promise<{ client: PGlite; origin: PgliteOrigin }> {
  const { settings, cacheDir, logger } = options;
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) {
    return { client: await PGlite.create(dataDir, { postgresqlconf: settings }), origin: 'existing' };
  }
  const template = cacheDir === false ? undefined : await initdbResult(cacheDir, logger);
  if (template) {
    try {
      const client = await PGlite.create(dataDir, { postgresqlconf: settings, loadDataDir: new Blob([template]) });
      return { client, origin: 'template' };
    } catch (error) {
      // A load that stopped half-way leaves a folder that is neither new nor whole: say so.
      if (existsSync(path.join(dataDir, 'PG_VERSION'))) throw error;
      logger?.warn({ err: error, dataDir }, 'cannot lay the database out from the cached initdb; running initdb');
    }
  }
  return { client: await PGlite.create(dataDir, { postgresqlconf: settings }), origin: 'initdb' };
}

/**
 * initdb's result for this PGlite version (a gzipped data folder, for `loadDataDir`), read
 * from `cacheDir` and verified, or made now in memory and kept there if missing or damaged.
 */
export async function initdbResult(cacheDir: string, logger?: Logger): Promise<Buffer> {
  const file = path.join(cacheDir, `pglite-${pgliteVersion()}-initdb.tar.gz`);
  try {
    const cached = await readFile(file);
    gunzipSync(cached); // a torn or damaged file fails here, before it touches a data folder
    return cached;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      logger?.warn({ err: error, file }, 'the cached initdb is damaged; making it again');
      await rm(file, { force: true }).catch(() => undefined);
    }
  }
  let made: Buffer;
  const memory = await PGlite.create();
  try {
    made = Buffer.from(await (await memory.dumpDataDir('gzip')).arrayBuffer());
  } finally {
    await memory.close();
  }
  try {
    await mkdir(cacheDir, { recursive: true, mode: 0o700 });
    // Services starting together may make it at once: write aside, then rename atomically.
    const partial = `${file}.${process.pid}.${randomUUID()}`;
    await writeFile(partial, made, { mode: 0o600 });
    await rename(partial, file);
  } catch (error) {
    logger?.info({ err: error, cacheDir }, 'cannot keep initdb for the next new database; using it once');
  }
  return made;
}
