import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import { serverConfig } from '../../lib/bus-permissions.cjs';
import { findExecutable } from '../../lib/system.cjs';
import { createLogger } from '../logger/logger';
import { NatsWrapper, type NatsCredentials } from '../nats/nats-wrapper';
import { ensureConsumers, ensureStream } from '../nats/stream';
import { makeTestBusUsers } from './bus-users';

/** A nats-server with JetStream started for a test, on free ports with its own store. */
export interface TestNatsServer {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /**
   * Connection options of the test's own user, who may do anything (forge any event, read and
   * change the stream): `connect({ servers: server.url, ...server.admin })`. Empty without auth.
   */
  readonly admin: Partial<Pick<ConnectionOptions, 'user' | 'pass'>>;
  /** The same user as `NatsWrapper.connect` takes it (`credentials`); undefined without auth. */
  readonly credentials: NatsCredentials | undefined;
  /** The nkey seed of a service's user (its permissions as services.json gives them) or of `demo`. */
  seedOf(name: string): string | undefined;
  /** A connection as the test's own user. */
  connect(options?: ConnectionOptions): Promise<NatsConnection>;
  /** Sets the stream and the services' consumers up again, as the local runner does (after a test deleted them). */
  setUp(): Promise<void>;
  /**
   * A `NatsWrapper` connected as the test's own user: what a test publishes through it (any
   * subject, as if it were that subject's service) and reads of the stream. Close it after.
   */
  wrapper(name?: string): Promise<NatsWrapper>;
  /** Stops the server and waits for the process to exit; the store survives for `start()`. */
  stop(): Promise<void>;
  /** Starts it again on the same port and store (after `stop()`), for outage tests. */
  start(): Promise<void>;
  /** Stops it and deletes its store. */
  destroy(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 10_000;
const silent = createLogger('test-bus', 'silent');

function launch(storeDir: string, port: number, config?: string): Promise<{ child: ChildProcess; port: number }> {
  const binary = findExecutable('nats-server', 'apt-get install nats-server');
  // A configuration file names the store itself (with its users); the flags would clash with it.
  const args = [...(config ? ['-c', config] : ['-js', '-sd', storeDir]), '-a', '127.0.0.1', '-p', String(port)];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
 * is ready. Authorization is on, as everywhere the system runs: a user per service with the
 * permissions services.json gives it, the demo user, and the test's own user (`admin`);
 * `auth: false` starts one that takes anybody. Call `destroy()` in `afterAll`.
 */
export async function startNatsServer({
  auth = true,
  stream = 'ticketing',
}: {
  auth?: boolean;
  /** The stream to set up as the local runner does (services may not); null: none. */
  stream?: string | null;
} = {}): Promise<TestNatsServer> {
  const storeDir = await mkdtemp(path.join(tmpdir(), 'ticketing-nats-'));
  const users = auth ? makeTestBusUsers() : undefined;
  const config = users ? `${storeDir}.conf` : undefined;
  if (users && config) await writeFile(config, serverConfig({ storeDir, bus: users.accounts }), { mode: 0o600 });
  const removeFiles = async () => {
    await rm(storeDir, { recursive: true, force: true });
    if (config) await rm(config, { force: true });
  };
  let running: ChildProcess | undefined;
  let first: Awaited<ReturnType<typeof launch>>;
  try {
    first = await launch(storeDir, -1, config);
  } catch (error) {
    await removeFiles();
    throw error;
  }
  running = first.child;
  const port = first.port;

  const stop = async () => {
    if (!running) return;
    const child = running;
    running = undefined;
    await waitForExit(child);
  };

  const url = `nats://127.0.0.1:${port}`;
  const admin = users?.admin ?? {};
  // What the local runner does before any service starts: the stream, and the services' consumers.
  const setUp = async () => {
    if (!stream) return;
    const setup = await connect({ servers: url, ...admin });
    try {
      await ensureStream(setup, stream);
      if (users) await ensureConsumers(setup, stream, users.consumers);
    } finally {
      await setup.close();
    }
  };
  try {
    await setUp();
  } catch (error) {
    await stop();
    await removeFiles();
    throw error;
  }
  return {
    url,
    port,
    admin,
    credentials: users?.admin,
    seedOf: (name) => users?.seeds.get(name),
    setUp,
    connect: (options = {}) => connect({ servers: url, ...admin, ...options }),
    async wrapper(name = 'test') {
      const wrapper = new NatsWrapper();
      await wrapper.connect(stream ?? 'ticketing', `${name}-${process.pid}`, url, {
        credentials: users?.admin,
        reconnectTimeWait: 100,
        logger: silent,
      });
      return wrapper;
    },
    stop,
    async start() {
      if (running) return;
      running = (await launch(storeDir, port, config)).child;
    },
    async destroy() {
      await stop();
      await removeFiles();
    },
  };
}
