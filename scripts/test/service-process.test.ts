import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { freePort, TEST_JWT_KEY, waitFor } from '@ticketing/common/testing';
import { waitForPort } from '@ticketing/common/system';

const root = path.join(__dirname, '..', '..');

/** Sends requests (each one logged by the service) for `ms` or until `count` were answered. */
async function logLots(port: number, ms: number, count: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const until = Date.now() + ms;
  let answered = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (Date.now() < until && answered < count) {
        await new Promise<void>((resolve) => {
          const request = http.get(
            {
              host: '127.0.0.1',
              port,
              path: `/api/users/currentuser?padding=${'x'.repeat(2000)}`,
              agent,
              // A loaded machine may be slow to answer: the point is the logging, not the pace.
              timeout: 5_000,
            },
            (response) => {
              response.resume();
              response.on('end', () => {
                answered++;
                resolve();
              });
            },
          );
          request.on('timeout', () => request.destroy());
          request.on('error', () => resolve());
        });
      }
    }),
  );
  agent.destroy();
  return answered;
}

describe('a process logging as every service does, whose output nobody reads', () => {
  it.each([
    ['its reader stalls (the pipe fills up)', 'stall'],
    ['its reader is gone', 'close'],
  ])(
    'stops at once on SIGTERM when %s',
    async (_case, mode) => {
      const child = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'chatty-process.cjs')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      try {
        await new Promise<void>((resolve) => child.stderr!.once('data', () => resolve()));
        if (mode === 'stall') child.stdout!.pause();
        else child.stdout!.destroy();
        // Setup: long enough for the process to fill any pipe many times over (it logs without pause).
        await new Promise((resolve) => setTimeout(resolve, 1_500));

        const signalled = Date.now();
        child.kill('SIGTERM');
        const code = await Promise.race([
          exited,
          new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 5_000)),
        ]);

        expect(code).toBe(0);
        expect(Date.now() - signalled).toBeLessThan(2_000);
      } finally {
        child.kill('SIGKILL');
        await waitFor(() => child.exitCode !== null || child.signalCode !== null, { message: 'the process gone' });
      }
    },
    30_000,
  );
});

describe('a service process whose output nobody reads', () => {
  it.each([
    ['its reader stalls (the pipe fills up)', 'stall'],
    ['its reader is gone', 'close'],
  ])(
    'still serves and stops at once on SIGTERM when %s',
    async (_case, mode) => {
      const port = await freePort();
      const child = spawn(process.execPath, [path.join(root, 'auth', 'dist', 'index.js')], {
        env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', JWT_KEY: TEST_JWT_KEY, LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      try {
        await waitForPort(port, 60_000);
        if (mode === 'stall') child.stdout!.pause();
        else child.stdout!.destroy();

        // Hundreds of kilobytes of request log lines: far more than a pipe holds.
        const answered = await logLots(port, 30_000, 1_500);
        expect(answered).toBeGreaterThan(400);

        const signalled = Date.now();
        child.kill('SIGTERM');
        const code = await Promise.race([
          exited,
          new Promise<'still running'>((r) => setTimeout(() => r('still running'), 5_000)),
        ]);

        expect(code).toBe(0);
        expect(Date.now() - signalled).toBeLessThan(4_000);
      } finally {
        child.kill('SIGKILL');
        await waitFor(() => child.exitCode !== null || child.signalCode !== null, { message: 'the service gone' });
      }
    },
    90_000,
  );
});
