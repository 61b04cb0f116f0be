import { randomUUID } from 'node:crypto';
import { constants, existsSync, readFileSync } from 'node:fs';
import { access, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import type { Logger } from 'pino';
import { DirectoryLockedError, lockDirectory } from '../../lib/dir-lock.cjs';

/**
 * How a PGlite data folder came to be: it held a database already, it was laid out from the
 * kept initdb result, or PGlite's own initdb ran for it (nothing could be kept).
 */
export type PgliteOrigin = 'existing' | 'template' | 'initdb';

/** Written into a new folder before it is laid out, removed once PGlite has started on it. */
const LAYING_OUT = 'ticketing-laying-out';

/** How long a process waits for another one making the initdb result before making its own. */
const MAKING_WAIT_MS = 30_000;

/**
 * Where the initdb result is kept: `node_modules/.cache/ticketing`, next to the PGlite that
 * made it, so a reinstall or an upgrade starts afresh. False where there is no node_modules.
 */
export function defaultInitdbCacheDir(): string | false {
  const entry = require.resolve('@electric-sql/pglite');
  const at = entry.lastIndexOf(`${path.sep}node_modules${path.sep}`);
  if (at < 0) return false;
  return path.join(entry.slice(0, at), 'node_modules', '.cache', 'ticketing');
}

function pgliteVersion(): string {
  const entry = require.resolve('@electric-sql/pglite');
  const packageDir = entry.slice(0, entry.lastIndexOf(`${path.sep}dist${path.sep}`));
  return (JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Opens PGlite on `dataDir` (whose lock the caller holds), or in memory without one. A new
 * database is laid out from initdb's result for this PGlite version, made once in memory and
 * kept (gzipped, ~4.5 MB) in `cacheDir`: PGlite's own initdb costs ~8 s of CPU for a folder
 * (~5 s in memory), the load ~2 s. Where nothing can be kept (a read-only image) PGlite's
 * initdb runs, as before.
 *
 * A folder is marked while it is laid out: one whose laying out was cut short (a kill, a
 * full disk) holds no data yet and is laid out again, instead of being taken for a database.
 */
export async function createPglite(
  dataDir: string | undefined,
  options: {
    /** postgresql.conf's lines (it is written afresh at each start); absent keeps initdb's. */
    settings?: string[];
    cacheDir: string | false;
    logger?: Logger;
  },
): Promise<{ client: PGlite; origin: PgliteOrigin }> {
  const { cacheDir, logger } = options;
  const settings = options.settings && { postgresqlconf: options.settings };
  if (!dataDir) {
    const tar = cacheDir === false ? undefined : await initdbResult(cacheDir, logger);
    const client = await PGlite.create({ ...settings, ...(tar && { loadDataDir: new Blob([tar]) }) });
    return { client, origin: tar ? 'template' : 'initdb' };
  }
  const marker = path.join(dataDir, LAYING_OUT);
  if (existsSync(marker)) {
    logger?.warn({ dataDir }, 'the database folder was not fully laid out when its process ended; laying it out again');
    await emptyFolder(dataDir);
  } else if (existsSync(path.join(dataDir, 'PG_VERSION'))) {
    return { client: await PGlite.create(dataDir, { ...settings }), origin: 'existing' };
  }
  await writeFile(marker, '', { mode: 0o600 });
  const tar = cacheDir === false ? undefined : await initdbResult(cacheDir, logger);
  let client: PGlite | undefined;
  if (tar) {
    try {
      client = await PGlite.create(dataDir, { ...settings, loadDataDir: new Blob([tar]) });
    } catch (error) {
      logger?.warn({ err: error, dataDir }, 'cannot lay the database out from the kept initdb result; running initdb');
      await emptyFolder(dataDir);
      await writeFile(marker, '', { mode: 0o600 });
    }
  }
  const origin: PgliteOrigin = client ? 'template' : 'initdb';
  client ??= await PGlite.create(dataDir, { ...settings });
  await rm(marker);
  return { client, origin };
}

async function emptyFolder(dir: string): Promise<void> {
  for (const name of await readdir(dir)) await rm(path.join(dir, name), { recursive: true, force: true });
}

/**
 * initdb's result for this PGlite version, as an uncompressed tar for `loadDataDir`: read from
 * `cacheDir` (a damaged file is made again), or made now in memory and kept there. One
 * process makes it while the others starting with it wait. Undefined when `cacheDir` cannot
 * be written: making the result only to use it once would cost more than PGlite's initdb.
 */
export async function initdbResult(cacheDir: string, logger?: Logger): Promise<Buffer | undefined> {
  const file = path.join(cacheDir, `pglite-${pgliteVersion()}-initdb.tar.gz`);
  const kept = await readKept(file, logger);
  if (kept !== 'missing') return kept;
  try {
    await mkdir(cacheDir, { recursive: true, mode: 0o700 });
    await access(cacheDir, constants.W_OK);
  } catch (error) {
    logger?.info({ err: error, cacheDir }, 'cannot keep the initdb result here; each new database runs initdb');
    return undefined;
  }

  const deadline = Date.now() + MAKING_WAIT_MS;
  for (;;) {
    let lock: Awaited<ReturnType<typeof lockDirectory>>;
    try {
      lock = await lockDirectory(cacheDir, { owner: 'making the initdb result' });
    } catch (error) {
      if (!(error instanceof DirectoryLockedError) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    try {
      // Made by the process that held the lock meanwhile?
      const made = await readKept(file, logger);
      if (made !== 'missing') return made;
      return await makeAndKeep(file, logger);
    } finally {
      await lock.release();
    }
  }
  return makeAndKeep(file, logger);
}

async function readKept(file: string, logger?: Logger): Promise<Buffer | undefined | 'missing'> {
  let gzipped: Buffer;
  try {
    gzipped = await readFile(file);
  } catch (error) {
    // Not there (ENOTDIR: a file where a folder on its path should be).
    if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return 'missing';
    logger?.info({ err: error, file }, 'cannot read the kept initdb result; running initdb');
    return undefined;
  }
  try {
    // A torn or damaged file fails here, before it touches a data folder.
    return gunzipSync(gzipped);
  } catch (error) {
    logger?.warn({ err: error, file }, 'the kept initdb result is damaged; making it again');
    await rm(file, { force: true });
    return 'missing';
  }
}

async function makeAndKeep(file: string, logger?: Logger): Promise<Buffer> {
  const memory = await PGlite.create();
  let gzipped: Buffer;
  try {
    // Written out, so a folder laid out from it has nothing to replay when it first starts.
    await memory.exec('checkpoint');
    gzipped = Buffer.from(await (await memory.dumpDataDir('gzip')).arrayBuffer());
  } finally {
    await memory.close();
  }
  // Write aside, then rename: a reader sees the whole file or none.
  const partial = `${file}.${process.pid}.${randomUUID()}`;
  try {
    await writeFile(partial, gzipped, { mode: 0o600 });
    await rename(partial, file);
    logger?.info({ file }, 'made the initdb result for new databases');
  } catch (error) {
    await rm(partial, { force: true });
    logger?.info({ err: error, file }, 'cannot keep the initdb result; using it once');
  }
  return gunzipSync(gzipped);
}
