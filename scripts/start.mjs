#!/usr/bin/env node
// `npm start`: installs what is missing, builds, then runs the whole system until Ctrl-C.
// Plain Node on purpose: it runs before node_modules exists.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { canInstallSystemPackages, ensureSystemPackages } from './lib/system-deps.mjs';
import { ensureNodeModules } from './lib/node-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const say = (text) => console.log(`${color ? '\x1b[37m' : ''}runner  ${color ? '\x1b[0m' : ''}| ${text}`);

async function main() {
  const natsUrl = process.env.NATS_URL || undefined;
  ensureSystemPackages(natsUrl ? ['nginx'] : ['nats-server', 'nginx'], say);
  // The PostgreSQL server where it can be installed here; elsewhere the embedded PGlite steps
  // in, and the start-up log says how to get the server.
  if (process.env.DATABASE !== 'pglite' && canInstallSystemPackages()) ensureSystemPackages(['postgresql'], say);
  // Opt-in: Prometheus scraping every service and the bus.
  const prometheus = /^(1|true|yes|on)$/i.test(process.env.PROMETHEUS ?? '');
  if (prometheus) ensureSystemPackages(['prometheus'], say);
  ensureNodeModules(root, say);
  // Imported after the install: these use npm packages.
  const { buildServices, buildClient, hasClient } = await import('./lib/build.mjs');
  const { startStack } = await import('./lib/stack.mjs');
  buildServices(root, say);
  if (hasClient(root)) buildClient(root, say);

  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got "${process.env.PORT}"`);
  const dataDir = path.resolve(root, process.env.DATA_DIR || '.data');
  const stack = await startStack({
    root,
    port,
    host: process.env.HOST || undefined,
    dataDir,
    natsUrl,
    logLevel: process.env.LOG_LEVEL || 'info',
    color,
    handleSignals: true,
    traces: 'local',
    prometheus: prometheus ? { port: Number(process.env.PROMETHEUS_PORT ?? 9090) } : undefined,
  });

  say(
    `data in ${dataDir}; NATS at ${stack.natsUrl}${stack.natsMonitorPort ? ` (monitoring http://localhost:${stack.natsMonitorPort})` : ''}`,
  );
  if (stack.prometheusUrl) say(`Prometheus: ${stack.prometheusUrl} (every service's /metrics and the bus, every 5 s)`);
  say(`ticketing is up: ${color ? '\x1b[1m' : ''}${stack.url}${color ? '\x1b[0m' : ''}  (Ctrl-C stops everything)`);
}

main().catch((error) => {
  console.error(`\nnpm start failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
