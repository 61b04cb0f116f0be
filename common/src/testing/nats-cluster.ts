import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import { serverConfig } from '../../lib/bus-permissions.cjs';
import { findExecutable, freePort } from '../../lib/system.cjs';
import type { NatsCredentials } from '../nats/nats-wrapper';
import { makeTestBusUsers } from './bus-users';

/** One node of a test JetStream cluster. */
export interface ClusterNode {
  name: string;
  /** `nats://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Its HTTP monitoring port (`/jsz`, `/varz`). */
  monitorPort: number;
  /** The running process, undefined while the node is stopped. */
  process?: ChildProcess;
}

/** Three `nats-server -js` clustered on loopback, each with its own store, for fault tests. */
export interface TestNatsCluster {
  nodes: ClusterNode[];
  /** Every node's URL, comma-separated, as NATS_URL takes them. */
  readonly url: string;
  /** Connection options of the test's own user, who may do anything (as `TestNatsServer.admin`). */
  readonly admin: Pick<ConnectionOptions, 'user' | 'pass'>;
  /** The same user as `NatsWrapper.connect` takes it. */
  readonly credentials: NatsCredentials;
  /** The nkey seed of a service's user (its permissions as services.json gives them) or of `demo`. */
  seedOf(name: string): string | undefined;
  /** A connection to every node as the test's own user. */
  connect(options?: ConnectionOptions): Promise<NatsConnection>;
  /** The node that leads the JetStream meta group (or a stream's group), by name. */
  leader(stream?: string): Promise<string>;
  /** SIGKILLs a node; its store stays for `start`. */
  kill(name: string): Promise<void>;
  /** Starts a stopped node again on the same ports and store. */
  start(name: string): Promise<void>;
  /** SIGSTOPs a node (it neither answers nor closes its connections) until `resume`. */
  pause(name: string): void;
  resume(name: string): void;
  /** Stops every node and deletes the stores. */
  destroy(): Promise<void>;
}

const CLUSTER = 'ticketing-test';

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function jsz(node: ClusterNode, query = ''): Promise<Record<string, unknown> | undefined> {
  try {
    // A stopped (SIGSTOP) node would never answer.
    const response = await fetch(`http://127.0.0.1:${node.monitorPort}/jsz${query}`, {
      signal: AbortSignal.timeout(1_000),
    });
    return (await response.json()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * Starts a three-node JetStream cluster on free loopback ports (distinct server names,
 * stores and cluster ports, each routing to the others) and resolves once it has elected
 * a meta leader that sees every other running node current, so a stream can be placed on
 * all of them at once. Call `destroy()` in `afterAll`.
 */
export async function startNatsCluster(
  size = 3,
  options: {
    /** Nodes (by name, `n1`…) left stopped at first, as if still on their way: `start` them later. */
    stopped?: string[];
  } = {},
): Promise<TestNatsCluster> {
  const stopped = new Set(options.stopped ?? []);
  for (const name of stopped) {
    if (!/^n\d+$/.test(name) || Number(name.slice(1)) > size || Number(name.slice(1)) < 1) {
      throw new Error(`no node ${name} in a cluster of ${size}`);
    }
  }
  if (size - stopped.size <= size / 2) throw new Error('a majority of the nodes must start to elect a meta leader');
  const binary = findExecutable('nats-server', 'apt-get install nats-server');
  const root = await mkdtemp(path.join(tmpdir(), 'ticketing-nats-cluster-'));
  const clusterPorts: number[] = [];
  const nodes: ClusterNode[] = [];
  for (let i = 1; i <= size; i++) {
    const [port, monitorPort, clusterPort] = [await freePort(), await freePort(), await freePort()];
    clusterPorts.push(clusterPort);
    nodes.push({ name: `n${i}`, url: `nats://127.0.0.1:${port}`, port, monitorPort });
  }
  // Authorization on, as everywhere the system runs: the routes between nodes too.
  const users = makeTestBusUsers();
  const route = { user: 'route', password: randomBytes(12).toString('hex') };
  const routes = clusterPorts.map((port) => `nats-route://${route.user}:${route.password}@127.0.0.1:${port}`);
  const configs = await Promise.all(
    nodes.map(async (node, index) => {
      const file = path.join(root, `${node.name}.conf`);
      const text = serverConfig({
        serverName: node.name,
        listen: `127.0.0.1:${node.port}`,
        monitor: `127.0.0.1:${node.monitorPort}`,
        storeDir: path.join(root, node.name),
        cluster: { name: CLUSTER, listen: `127.0.0.1:${clusterPorts[index]}`, routes, ...route },
        bus: users.accounts,
      });
      await writeFile(file, text, { mode: 0o600 });
      return file;
    }),
  );

  const launch = (node: ClusterNode, index: number) => {
    const child = spawn(binary, ['-c', configs[index]!], { stdio: ['ignore', 'ignore', 'ignore'] });
    node.process = child;
  };

  const metaLeader = async (): Promise<string | undefined> => {
    for (const node of nodes) {
      if (!node.process) continue;
      const info = await jsz(node);
      const leader = (info?.meta_cluster as { leader?: string } | undefined)?.leader;
      if (leader) return leader;
    }
    return undefined;
  };

  const until = async <T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`nats cluster: no ${what} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  // Ready to place a stream on every running node: the meta leader sees the others, current.
  const formed = async (): Promise<true | undefined> => {
    for (const node of nodes) {
      if (!node.process) continue;
      const meta = (await jsz(node))?.meta_cluster as
        { leader?: string; replicas?: { current?: boolean }[] } | undefined;
      if (!meta?.leader || meta.leader !== node.name) continue;
      const peers = meta.replicas ?? [];
      const running = nodes.filter((other) => other.process).length;
      return peers.filter((peer) => peer.current).length === running - 1 ? true : undefined;
    }
    return undefined;
  };

  const byName = (name: string) => {
    const node = nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name}`);
    return node;
  };

  nodes.forEach((node, index) => {
    if (!stopped.has(node.name)) launch(node, index);
  });
  try {
    await until(formed, 'meta leader with every peer current');
  } catch (error) {
    for (const node of nodes) node.process?.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
    throw error;
  }

  const url = () => nodes.map((node) => node.url).join(',');
  return {
    nodes,
    get url() {
      return url();
    },
    admin: users.admin,
    credentials: users.admin,
    seedOf: (name) => users.seeds.get(name),
    connect: (options = {}) => connect({ servers: url().split(','), ...users.admin, ...options }),
    async leader(stream?: string) {
      if (!stream) return until(metaLeader, 'meta leader');
      return until(async () => {
        for (const node of nodes) {
          if (!node.process) continue;
          const info = await jsz(node, '?streams=true&leader-only=true');
          const accounts = (info?.account_details ?? []) as {
            stream_detail?: { name: string; cluster?: { leader?: string } }[];
          }[];
          for (const account of accounts) {
            const found = account.stream_detail?.find((s) => s.name === stream)?.cluster?.leader;
            if (found) return found;
          }
        }
        return undefined;
      }, `leader of ${stream}`);
    },
    async kill(name) {
      const node = byName(name);
      const child = node.process;
      if (!child) return;
      node.process = undefined;
      child.kill('SIGKILL');
      await waitForExit(child);
    },
    async start(name) {
      const node = byName(name);
      if (node.process) return;
      launch(node, nodes.indexOf(node));
      await until(async () => ((await jsz(node)) ? true : undefined), `${name} serving`);
    },
    pause(name) {
      byName(name).process?.kill('SIGSTOP');
    },
    resume(name) {
      byName(name).process?.kill('SIGCONT');
    },
    async destroy() {
      await Promise.all(
        nodes.map(async (node) => {
          const child = node.process;
          node.process = undefined;
          if (!child) return;
          child.kill('SIGCONT');
          child.kill('SIGKILL');
          await waitForExit(child);
        }),
      );
      await rm(root, { recursive: true, force: true });
    },
  };
}
