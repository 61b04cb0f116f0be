// The local PostgreSQL server `npm start` runs for every service, like nats-server: its files
// in DATA_DIR/postgres (0700), listening on 127.0.0.1 only, a database and a role per service
// with a password of its own kept in DATA_DIR/credentials. PGlite, each service's embedded
// database, is the fallback where no server can be had.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { which } from '@ticketing/common/system';

/** The superuser the runner creates the databases and roles as. */
const SUPERUSER = 'ticketing';

/** Where Debian keeps each major version's server programs, newest first. */
function serverBinDirs() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((version) => /^\d+$/.test(version))
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => path.join(root, version, 'bin'));
}

/** The server programs: initdb and postgres from one installation, or undefined. */
export function findServerPrograms() {
  for (const dir of serverBinDirs()) {
    const initdb = path.join(dir, 'initdb');
    const postgres = path.join(dir, 'postgres');
    if (existsSync(initdb) && existsSync(postgres)) return { initdb, postgres };
  }
  const initdb = which('initdb');
  const postgres = which('postgres');
  return initdb && postgres ? { initdb, postgres } : undefined;
}

/** The user a server started by root runs as (PostgreSQL refuses to run as root). */
function serverUser() {
  if (process.getuid?.() !== 0) return undefined;
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0 || gid.status !== 0) return null;
  return {
    name: 'postgres',
    uid: Number(id.stdout.trim()),
    gid: Number(gid.stdout.trim()),
    // See asServerUser: to pass through folders closed to it on the way to its own.
    capabilities: ['dac_read_search'],
  };
}

/**
 * setpriv's options that run a program as the server's user. It keeps one capability, to pass
 * through folders closed to that user (DATA_DIR, 0700, and wherever the root user keeps it,
 * /root for one): it reads and writes only in its own folder, which it owns, but must reach it.
 */
export function asServerUser(user) {
  return [
    `--reuid=${user.uid}`,
    `--regid=${user.gid}`,
    '--init-groups',
    '--inh-caps=+dac_read_search',
    '--ambient-caps=+dac_read_search',
  ];
}

/** True when DATA_DIR holds a service's embedded database from an earlier version (and no server). */
export function hasEmbeddedData(dataDir, services) {
  if (existsSync(path.join(dataDir, 'postgres'))) return false;
  return services.some(({ name }) => existsSync(path.join(dataDir, name, 'PG_VERSION')));
}

/**
 * Which database the services get, and why, for the start-up log:
 * `{ kind: 'postgres' | 'pglite', reason }`.
 * @param {{ dataDir: string, services: { name: string }[], requested?: string,
 *   serverPrograms?: () => { initdb: string, postgres: string } | undefined }} options
 */
export function chooseDatabase({ dataDir, services, requested, serverPrograms = findServerPrograms }) {
  if (requested === 'pglite') return { kind: 'pglite', reason: 'DATABASE=pglite' };
  const programs = serverPrograms();
  const wanted = requested === 'postgres';
  if (!programs) {
    if (wanted) throw new Error('DATABASE=postgres, but no PostgreSQL server is installed: apt-get install postgresql');
    return {
      kind: 'pglite',
      reason:
        'no PostgreSQL server is installed (apt-get install postgresql gives one; DATABASE=pglite says so outright)',
    };
  }
  if (serverUser() === null) {
    const reason = 'running as root, and there is no postgres user for the server to run as';
    if (wanted) throw new Error(`DATABASE=postgres, but ${reason}`);
    return { kind: 'pglite', reason };
  }
  if (!wanted && hasEmbeddedData(dataDir, services)) {
    return {
      kind: 'pglite',
      reason: `${dataDir} was made with the embedded databases; they stay there (docs/operations.md, Databases: moving to the server)`,
    };
  }
  return { kind: 'postgres', reason: wanted ? 'DATABASE=postgres' : 'the default' };
}

/** A password kept in DATA_DIR/credentials, made on first use. */
function password(dataDir, name) {
  const file = path.join(dataDir, 'credentials', `postgres-${name}.pw`);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Letters and digits only: it goes into a URL unescaped.
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/**
 * Lays a new server's files out in DATA_DIR/postgres on first start (initdb: the superuser's
 * password from DATA_DIR/credentials, password logins over TCP only, UTF-8, C collation),
 * owned by the user it will run as. Returns what starting it needs. `durable: false` (a
 * throwaway DATA_DIR) skips the syncs, initdb's and the server's alike.
 * @param {string} dataDir
 * @param {{ durable?: boolean }} [options]
 */
export function prepareServer(dataDir, { durable = true } = {}) {
  const programs = findServerPrograms();
  if (!programs) throw new Error('no PostgreSQL server programs');
  const user = serverUser() ?? undefined;
  const home = path.join(dataDir, 'postgres');
  const cluster = path.join(home, 'cluster');
  const superPassword = password(dataDir, SUPERUSER);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  if (user) chownSync(home, user.uid, user.gid);
  chmodSync(home, 0o700);
  if (!existsSync(path.join(cluster, 'PG_VERSION'))) {
    rmSync(cluster, { recursive: true, force: true });
    const pwfile = path.join(home, 'initdb-password');
    writeFileSync(pwfile, `${superPassword}\n`, { mode: 0o600 });
    if (user) chownSync(pwfile, user.uid, user.gid);
    try {
      const args = [
        '-D',
        cluster,
        '-U',
        SUPERUSER,
        `--pwfile=${pwfile}`,
        '--auth-host=scram-sha-256',
        '--auth-local=reject',
        '-E',
        'UTF8',
        '--locale=C',
        ...(durable ? [] : ['--no-sync']),
      ];
      const run = user
        ? spawnSync('setpriv', [...asServerUser(user), '--', programs.initdb, ...args], { encoding: 'utf8' })
        : spawnSync(programs.initdb, args, { encoding: 'utf8' });
      if (run.status !== 0) {
        rmSync(cluster, { recursive: true, force: true });
        throw new Error(`initdb failed:\n${run.stdout}${run.stderr}`);
      }
    } finally {
      rmSync(pwfile, { force: true });
    }
  }
  return { programs, user, home, cluster, superPassword, durable };
}

/**
 * The command line of the server on `port`: loopback only, no Unix socket (a password over
 * TCP is the one way in), its files in `cluster`.
 */
export function serverArgs(cluster, port, { durable = true } = {}) {
  return [
    // A throwaway server (the test tiers' stacks) need not survive a power cut.
    ...(durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    '-D',
    cluster,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    // A laptop's database: a few connections per service, no need for 100.
    '-c',
    'max_connections=200',
  ];
}

/** The role and the database of a service (a name PostgreSQL takes unquoted). */
function roleOf(name) {
  return name.replace(/[^a-z0-9_]/g, '_');
}

/** A service's URL on the local server at `port` (its role and password, its database). */
export function serviceUrl(dataDir, name, port) {
  return `postgres://${roleOf(name)}:${password(dataDir, name)}@127.0.0.1:${port}/${roleOf(name)}`;
}

/**
 * Makes each service's role (with its own password) and database, owned by it, where they
 * are missing, waiting for the server to take connections (up to 30 s).
 * @param {{ port: number, superPassword: string, dataDir: string, services: { name: string }[] }} options
 */
export async function ensureServiceDatabases({ port, superPassword, dataDir, services }) {
  const { default: pg } = await import('pg');
  const deadline = Date.now() + 30_000;
  let admin;
  for (;;) {
    admin = new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, password: superPassword, database: 'postgres' });
    try {
      await admin.connect();
      break;
    } catch (error) {
      await admin.end().catch(() => undefined);
      if (Date.now() > deadline) {
        throw new Error(`the PostgreSQL server did not take connections: ${error.message}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    for (const { name } of services) {
      const role = roleOf(name);
      const quoted = `"${role}"`;
      const secret = password(dataDir, name);
      const { rowCount } = await admin.query('select 1 from pg_roles where rolname = $1', [role]);
      if (rowCount === 0) await admin.query(`create role ${quoted} login password '${secret}'`);
      else await admin.query(`alter role ${quoted} login password '${secret}'`);
      const { rowCount: exists } = await admin.query('select 1 from pg_database where datname = $1', [role]);
      if (exists === 0) await admin.query(`create database ${quoted} owner ${quoted}`);
      // A service reaches its own database only (PostgreSQL lets every role connect to every database).
      await admin.query(`revoke connect, temporary on database ${quoted} from public`);
    }
  } finally {
    await admin.end();
  }
}

/**
 * The processes at work in `dir` (their current directory is in it). Every process of a
 * PostgreSQL server runs in its data folder, and each of the postmaster's children leads a
 * process group of its own: a kill of the postmaster's group leaves them running, to end
 * when they notice (the checkpointer may still be writing its last WAL). Empty where there
 * is no /proc to read.
 */
export function processesWorkingIn(dir) {
  if (!existsSync('/proc')) return [];
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}${path.sep}`)) found.push(Number(entry));
    } catch {
      // Gone since the listing, or not ours to read.
    }
  }
  return found;
}

/**
 * Resolves once no process works in the server's folder any more: those a forced stop left
 * end within moments on their own; any still there after `graceMs` are killed, and waited
 * for. Resolves with how many had to be killed.
 */
export async function serverProcessesGone(home, graceMs = 3_000) {
  const deadline = Date.now() + graceMs;
  let killed = 0;
  for (;;) {
    const left = processesWorkingIn(home);
    if (left.length === 0) return killed;
    // Past the grace, and a second past it at most: the killed go at once.
    if (Date.now() > deadline + 1_000) return killed;
    if (Date.now() > deadline && killed === 0) {
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Ended meanwhile.
        }
      }
      killed = left.length;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
