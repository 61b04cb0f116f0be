#!/usr/bin/env node
// `npm run start:cluster`: the production shape on one machine (a 3-node JetStream cluster,
// a PostgreSQL server with a database per service, two instances of every service behind
// the edge) until Ctrl-C. Its data is temporary: it is all deleted when it stops.
// Plain Node on purpose: it runs before node_modules exists.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSystemPackages } from './lib/system-deps.mjs';
import { ensureNodeModules } from './lib/node-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const say = (text) => console.log(`${color ? '\x1b[37m' : ''}runner  ${color ? '\x1b[0m' : ''}| ${text}`);

async function main() {
  ensureSystemPackages(['nats-server', 'postgresql', 'nginx'], say);
  ensureNodeModules(root, say);
  const { buildServices, buildClient, hasClient } = await import('./lib/build.mjs');
  buildServices(root, say);
  if (hasClient(root)) buildClient(root, say);
  const { startCluster } = await import('./lib/cluster.mjs');

  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got "${process.env.PORT}"`);
  const cluster = await startCluster({ root, port, logLevel: process.env.LOG_LEVEL || 'info', color, say });

  let signals = 0;
  const onSignal = (signal) => {
    if (++signals > 1) process.exit(130);
    say(`${signal}: stopping everything, and deleting the cluster's data`);
    void cluster.stop().then(() => process.exit(0));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, onSignal);

  const nodes = cluster.nats.nodes.map(
    (node) => `${node.name} ${node.url} (monitoring http://localhost:${node.monitorPort})`,
  );
  say(`NATS cluster: ${nodes.join('; ')}`);
  say(`PostgreSQL: ${cluster.postgres.url} (a database per service)`);
  say(
    `ticketing is up: ${color ? '\x1b[1m' : ''}${cluster.stack.url}${color ? '\x1b[0m' : ''}  (Ctrl-C stops everything)`,
  );
}

main().catch((error) => {
  console.error(`\nnpm run start:cluster failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
