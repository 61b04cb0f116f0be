import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { findExecutable, freePort } from '../../lib/system.cjs';

const run = promisify(execFile);

/** A throwaway PostgreSQL server for the real-database test tier. */
export interface TestPostgresServer {
  /** `postgres://test@127.0.0.1:<port>/postgres` (trust authentication). */
  readonly url: string;
  /** Creates a database and resolves with its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (fast shutdown: sessions are cut) and starts it again on the same port after `downMs`. */
  restart(downMs?: number): Promise<void>;
  /** Stops the server and deletes its data folder. */
  stop(): Promise<void>;
}

/**
 * Starts Debian's PostgreSQL server (`initdb` + `pg_ctl`) in a temporary folder on a free
 * port, without fsync. As root it runs as the `postgres` user, since initdb refuses root.
 */
export async function startPostgresServer(): Promise<TestPostgresServer> {
  const hint = 'apt-get install postgresql';
  const initdb = findExecutable('initdb', hint);
  const pgCtl = findExecutable('pg_ctl', hint);
  const dir = await mkdtemp(path.join(tmpdir(), 'ticketing-pg-'));
  const dataDir = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
    await chmod(dir, 0o700);
  }
  const as = (command: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', command, ...args]) : run(command, args);

  await as(initdb, ['-D', dataDir, '-U', 'test', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const startServer = () =>
    as(pgCtl, ['-D', dataDir, '-o', options, '-l', path.join(dir, 'server.log'), '-w', 'start']);
  await startServer();

  const url = `postgres://test@127.0.0.1:${port}/postgres`;
  let stopped = false;
  return {
    url,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`create database ${name}`);
      } finally {
        await admin.end();
      }
      const database = new URL(url);
      database.pathname = `/${name}`;
      return database.toString();
    },
    async restart(downMs = 0) {
      await as(pgCtl, ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await startServer();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await as(pgCtl, ['-D', dataDir, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
