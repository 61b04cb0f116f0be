// The production shape on one machine: a 3-node JetStream cluster, one PostgreSQL server with
// a database per service, and two instances of every service behind the edge.
// `npm run start:cluster` and the cluster tier of `npm test` both start it through `startCluster`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureConsumers, ensureStream } from '@ticketing/common/events';
import { busConsumers } from '@ticketing/common/bus-permissions';
import { startNatsCluster, startPostgresServer } from '@ticketing/common/testing';
import { loadServices } from './services.mjs';
import { startStack } from './stack.mjs';

/** Replicas of the stream in the cluster: one per node, as infra/k8s-production sets. */
export const STREAM_REPLICAS = 3;

/**
 * Starts the cluster shape and resolves once every instance answers `/readyz`. Everything
 * lives in temporary folders and is deleted by `stop()`.
 * @param {{ root: string, port?: number, instances?: number, logLevel?: string,
 *   print?: (line: string) => void, color?: boolean, client?: boolean,
 *   env?: Record<string, string>, say?: (line: string) => void }} options
 */
export async function startCluster(options) {
  const say = options.say ?? (() => {});
  const undo = [];
  const cleanUp = async () => {
    for (let step = undo.pop(); step; step = undo.pop()) await step().catch(() => undefined);
  };
  try {
    say('starting a 3-node JetStream cluster on loopback');
    const nats = await startNatsCluster(3);
    undo.push(() => nats.destroy());
    // Authorization is on: the services may not create the stream, a privileged user does.
    const setup = await nats.connect({ name: 'cluster-setup' });
    try {
      const stream = process.env.NATS_STREAM ?? process.env.NATS_CLUSTER_ID ?? 'ticketing';
      await ensureStream(setup, stream, { replicas: STREAM_REPLICAS });
      await ensureConsumers(setup, stream, busConsumers(loadServices(options.root)));
    } finally {
      await setup.close();
    }
    say('starting a PostgreSQL server with a database per service');
    const postgres = await startPostgresServer();
    undo.push(() => postgres.stop());
    /** @type {Record<string, string>} */
    const databaseUrls = {};
    for (const { name } of loadServices(options.root)) {
      databaseUrls[name] = await postgres.createDatabase(`${name.replace(/-/g, '_')}_service`);
    }
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ticketing-cluster-'));
    undo.push(() => rm(dataDir, { recursive: true, force: true }));
    const instances = options.instances ?? 2;
    say(`starting ${instances} instances of every service`);
    const stack = await startStack({
      root: options.root,
      port: options.port ?? 0,
      dataDir,
      natsUrl: nats.url,
      logLevel: options.logLevel ?? 'info',
      print: options.print,
      color: options.color,
      client: options.client,
      instances,
      databaseUrls,
      natsSeeds: Object.fromEntries(loadServices(options.root).map(({ name }) => [name, nats.seedOf(name)])),
      env: { NATS_STREAM_REPLICAS: String(STREAM_REPLICAS), ...options.env },
    });
    undo.push(() => stack.stop());
    return {
      stack,
      nats,
      postgres,
      databaseUrls,
      /** The running instances of a service, by name (`tickets-1`, `tickets-2`). */
      instancesOf: (service) => stack.processes.filter((child) => child.name.startsWith(`${service}-`)),
      stop: cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
