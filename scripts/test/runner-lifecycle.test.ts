import http from 'node:http';
import { lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from '@ticketing/common/testing';
import { startStack } from '../lib/stack.mjs';
import { descendants, isRunning, killAll, spawnRunner, waitUntilUp, type RunnerProcess } from './runner-harness';

/** What a process runs, from /proc (empty once it is gone). */
function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 120);
  } catch {
    return '';
  }
}

const root = path.join(__dirname, '..', '..');
const STOP_LIMIT_MS = 5_000;

/** Every file and folder under `dir` whose permissions let group or others in. */
function notPrivate(dir: string): string[] {
  const found: string[] = [];
  const walk = (file: string) => {
    const stat = lstatSync(file);
    if (stat.isSymbolicLink()) return;
    const mode = stat.mode & 0o777;
    if (stat.isDirectory() ? mode !== 0o700 : (mode & 0o077) !== 0 || (mode & 0o600) !== 0o600) {
      found.push(`${path.relative(dir, file) || '.'} ${mode.toString(8)}`);
    }
    if (stat.isDirectory()) for (const name of readdirSync(file)) walk(path.join(file, name));
  };
  walk(dir);
  return found;
}

async function json(response: Response) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the API's answers, checked by the tests
  return { status: response.status, body: (await response.json()) as any, headers: response.headers };
}

/** Signs a new user up through the edge; returns the cookie header. */
async function signUp(url: string, email: string): Promise<string> {
  const response = await fetch(`${url}/api/users/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'password123' }),
  });
  expect(response.status).toBe(201);
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}

/**
 * What the stop hang was seen after: 10 connections creating tickets through the edge,
 * then reading the list, for `seconds` in all.
 */
async function load(url: string, cookie: string, seconds: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
  const until = Date.now() + seconds * 1000;
  const writesUntil = Date.now() + (seconds * 1000 * 2) / 3;
  let answered = 0;
  const send = (method: string, pathname: string, body?: string) =>
    new Promise<void>((resolve) => {
      const request = http.request(
        `${url}${pathname}`,
        { method, agent, headers: { cookie, 'content-type': 'application/json' } },
        (response) => {
          response.resume();
          response.on('end', () => {
            answered++;
            resolve();
          });
        },
      );
      request.on('error', () => resolve());
      request.end(body);
    });
  await Promise.all(
    Array.from({ length: 10 }, async (_, i) => {
      while (Date.now() < until) {
        if (Date.now() < writesUntil)
          await send('POST', '/api/tickets', JSON.stringify({ title: `Load ${i}`, price: 12.5 }));
        else await send('GET', '/api/tickets?limit=50');
      }
    }),
  );
  agent.destroy();
  return answered;
}

/** Sends SIGTERM and measures until the runner and every process it started have ended. */
async function stopAndMeasure(runner: RunnerProcess): Promise<{ ms: number; code: number | null; left: number[] }> {
  const family = descendants(runner.pid);
  const started = Date.now();
  process.kill(runner.pid, 'SIGTERM');
  const code = await Promise.race([
    runner.exited,
    new Promise<null>((resolve) => setTimeout(() => resolve(null), 15_000)),
  ]);
  await waitFor(() => family.every((pid) => !isRunning(pid)), { timeoutMs: 15_000, message: 'every child gone' }).catch(
    () => undefined,
  );
  return { ms: Date.now() - started, code, left: family.filter(isRunning) };
}

describe('the runner and its children', () => {
  const started: number[] = [];
  const orphans: number[] = [];
  const dirs: string[] = [];

  afterAll(async () => {
    // A failed test may leave what it started; a killed runner's children are found by pid.
    killAll([...orphans, ...started.flatMap((pid) => [...descendants(pid), pid])]);
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it(
    'children end with a runner killed by SIGKILL; a second run on its DATA_DIR is refused while it runs, ' +
      'and the next one after finds the data intact, all of it private whatever the umask',
    async () => {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'ticketing-crash-'));
      dirs.push(dataDir);
      // Left by a run under a loose umask: the start must tighten it.
      await mkdir(path.join(dataDir, 'old'), { mode: 0o777 });
      writeFileSync(path.join(dataDir, 'old', 'notes'), 'x', { mode: 0o666 });

      const first = spawnRunner(dataDir, { umask: '000' });
      started.push(first.pid);
      const url = await waitUntilUp(first);
      const cookie = await signUp(url, 'crash@example.com');
      const created = await json(
        await fetch(`${url}/api/tickets`, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/json' },
          body: JSON.stringify({ title: 'Survives a crash', price: 42 }),
        }),
      );
      expect(created.status).toBe(201);

      // A second runner on the same DATA_DIR refuses at once and names the first.
      const refusedAt = Date.now();
      await expect(startStack({ root, port: 0, dataDir, natsPort: 0, print: () => {} })).rejects.toThrow(
        new RegExp(`DATA_DIR .* is in use by pid ${first.pid} \\(npm start\\)`),
      );
      expect(Date.now() - refusedAt).toBeLessThan(2_000);

      // Private whatever the umask: the databases, the NATS store, the key, what was there before.
      await waitFor(() => readdirSync(path.join(dataDir, 'nats')).length > 0, { message: 'the NATS store' });
      expect(notPrivate(dataDir)).toEqual([]);

      const family = descendants(first.pid);
      orphans.push(...family);
      expect(family.length).toBeGreaterThanOrEqual(5); // nats (and its guard), auth, tickets, client
      process.kill(first.pid, 'SIGKILL');
      await waitFor(() => family.every((pid) => !isRunning(pid)), { timeoutMs: 10_000, intervalMs: 100 }).catch(
        (error: unknown) => {
          // Named as they are then, not as they were when the wait began.
          const left = family.filter(isRunning).map((pid) => `${pid} ${commandOf(pid)}`);
          throw new Error(`the children of the killed runner did not end: ${left.join('; ')}`, { cause: error });
        },
      );

      const second = spawnRunner(dataDir);
      started.push(second.pid);
      const again = await waitUntilUp(second);
      const shown = await json(await fetch(`${again}/api/tickets/${created.body.id}`));
      expect(shown).toMatchObject({ status: 200, body: created.body });
      const list = await json(await fetch(`${again}/api/tickets`));
      expect(list.body).toEqual([created.body]);
      const signIn = await fetch(`${again}/api/users/signin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'crash@example.com', password: 'password123' }),
      });
      expect(signIn.status).toBe(200);
      expect(notPrivate(dataDir)).toEqual([]);

      const stopped = await stopAndMeasure(second);
      expect(stopped).toMatchObject({ code: 0, left: [] });
    },
    240_000,
  );

  it(`stops within ${STOP_LIMIT_MS / 1000} s of SIGTERM after a load run, every time, leaving no process`, async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ticketing-stop-'));
    dirs.push(dataDir);
    const runs: { ms: number; code: number | null; left: number[]; answered: number }[] = [];
    for (let run = 0; run < 4; run++) {
      const runner = spawnRunner(dataDir, { logLevel: 'info' });
      started.push(runner.pid);
      const url = await waitUntilUp(runner);
      if (run === 0) {
        // "Up" comes after every component has said it is ready, never before.
        const up = runner.lines.findIndex((line) => line.startsWith('UP '));
        for (const ready of [/^nats .*Server is ready/, /^auth .*auth listening/, /^tickets .*tickets listening/]) {
          const at = runner.lines.findIndex((line) => ready.test(line));
          expect({ ready: String(ready), before: at >= 0 && at < up }).toEqual({ ready: String(ready), before: true });
        }
      }
      const cookie = await signUp(url, `load-${run}@example.com`);
      const answered = await load(url, cookie, 3);
      if (run === 0) {
        // It says which database the services use, and why.
        expect(
          runner.lines.some((line) => /^runner .*databases: one PostgreSQL server .*\(the default\)/.test(line)),
        ).toBe(true);
      }
      runs.push({ ...(await stopAndMeasure(runner)), answered });
    }
    if (process.env.TICKETING_TEST_VERBOSE) console.log(runs);
    for (const run of runs) {
      expect(run.answered).toBeGreaterThan(10);
      expect(run).toMatchObject({ code: 0, left: [] });
      expect(run.ms).toBeLessThanOrEqual(STOP_LIMIT_MS);
    }
  }, 300_000);
});
