import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { directoryHolder, DirectoryLockedError, lockDirectory } from '../lib/dir-lock.cjs';
import { openDatabase } from '../src/db/open-database';
import { copySchema as schema } from './fixtures/copy-schema';

const LOCK_MODULE = path.join(__dirname, '..', 'lib', 'dir-lock.cjs');
const MIGRATIONS = path.join(__dirname, 'fixtures', 'drizzle');

/** Another process holding the lock on `dir` until it is killed; resolves once it holds it. */
async function holdInAnotherProcess(dir: string, abstract: boolean): Promise<ChildProcess> {
  const script = `require(${JSON.stringify(LOCK_MODULE)}).lockDirectory(${JSON.stringify(dir)}, { owner: 'holder', abstract: ${abstract} })
    .then(() => { console.log('HELD'); setInterval(() => {}, 1000); }, (e) => { console.log(e.message); process.exit(1); });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) =>
      chunk.toString().includes('HELD') ? resolve() : reject(new Error(String(chunk))),
    );
  });
  return child;
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe.each([
  ['the abstract socket (Linux)', true],
  ['the socket file (elsewhere)', false],
])('a directory lock through %s', (_name, abstract) => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ticketing-lock-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a second taker at once, naming the holder and its pid', async () => {
    const lock = await lockDirectory(dir, { owner: 'first', abstract });

    const started = Date.now();
    const second = lockDirectory(dir, { owner: 'second', abstract });

    await expect(second).rejects.toThrow(`${dir} is in use by pid ${process.pid} (first)`);
    await expect(second).rejects.toBeInstanceOf(DirectoryLockedError);
    expect(Date.now() - started).toBeLessThan(1_000);
    await lock.release();
  });

  it('can be taken again once released', async () => {
    const first = await lockDirectory(dir, { abstract });
    await first.release();

    const again = await lockDirectory(dir, { abstract });

    expect(await directoryHolder(path.join(dir, 'elsewhere'), { abstract })).toBeUndefined();
    await again.release();
  });

  it("names another process's pid, and is free the moment that process is killed with SIGKILL", async () => {
    const holder = await holdInAnotherProcess(dir, abstract);

    await expect(lockDirectory(dir, { abstract })).rejects.toThrow(`in use by pid ${holder.pid} (holder)`);
    expect(await directoryHolder(dir, { abstract })).toEqual({ pid: holder.pid, owner: 'holder' });

    await killed(holder);

    const lock = await lockDirectory(dir, { abstract });
    await lock.release();
  });

  it('tells two folders apart, and one folder reached by two paths', async () => {
    const lock = await lockDirectory(dir, { abstract });

    const other = await lockDirectory(path.join(dir, 'other'), { abstract });
    await expect(lockDirectory(path.join(dir, 'other', '..'), { abstract })).rejects.toThrow('in use');

    await other.release();
    await lock.release();
  });
});

describe('an embedded database folder', () => {
  it('is opened by one holder at a time: a second open fails at once, naming the first', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ticketing-pglite-lock-'));
    const first = await openDatabase({ schema, migrationsFolder: MIGRATIONS, dataDir, owner: 'tickets' });
    try {
      await expect(openDatabase({ schema, migrationsFolder: MIGRATIONS, dataDir })).rejects.toThrow(
        `${dataDir} is in use by pid ${process.pid} (tickets)`,
      );
    } finally {
      await first.close();
    }
    // Closed, it is free again.
    const again = await openDatabase({ schema, migrationsFolder: MIGRATIONS, dataDir });
    await again.close();
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);
});
