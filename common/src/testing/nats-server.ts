import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findExecutable } from '../../lib/system.cjs';

/** A nats-server with JetStream started for a test, on free ports with its own store. */
export interface TestNatsServer {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Stops the server and waits for the process to exit; the store survives for `start()`. */
  stop(): Promise<void>;
  /** Starts it again on the same port and store (after `stop()`), for outage tests. */
  start(): Promise<void>;
  /** Stops it and deletes its store. */
  destroy(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 10_000;

function launch(storeDir: string, port: number): Promise<{ child: ChildProcess; port: number }> {
  const binary = findExecutable('nats-server', 'apt-get install nats-server');
  const child = spawn(binary, ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`nats-server did not start within ${STARTUP_TIMEOUT_MS} ms:\n${output}`));
    }, STARTUP_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /Listening for client connections on [^\s]+:(\d+)/.exec(output);
      if (listening && /Server is ready/.test(output)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        // Keep draining the pipes so the server never blocks on a full buffer.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve({ child, port: Number(listening[1]) });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited with code ${code} before it was ready:\n${output}`));
    });
  });
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts a real `nats-server -js` on a free port with a temporary store and waits until it
 * is ready. Call `destroy()` in `afterAll`.
 */
export async function startNatsServer(): Promise<TestNatsServer> {
  const storeDir = await mkdtemp(path.join(tmpdir(), 'ticketing-nats-'));
  let running: ChildProcess | undefined;
  const first = await launch(storeDir, -1);
  running = first.child;
  const port = first.port;

  const stop = async () => {
    if (!running) return;
    const child = running;
    running = undefined;
    await waitForExit(child);
  };

  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    stop,
    async start() {
      if (running) return;
      running = (await launch(storeDir, port)).child;
    },
    async destroy() {
      await stop();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}
