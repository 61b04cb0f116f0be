#!/usr/bin/env node
// `npm run bench`: throughput of the hot paths, each printed as a ratio against a baseline
// measured in the same run on the same machine (absolute numbers vary between machines;
// the ratios are what to watch).
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ensureSystemPackages } from './lib/system-deps.mjs';
import { ensureNodeModules } from './lib/node-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const seconds = Number(process.env.BENCH_SECONDS ?? 5);

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

async function load(url, options = {}) {
  const autocannon = require('autocannon');
  const result = await autocannon({ url, connections: 10, duration: seconds, ...options });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors under load`);
  }
  return result.requests.average;
}

function row(name, value, unit, baseline) {
  const ratio = baseline ? `${(value / baseline).toFixed(3)} × baseline` : 'baseline';
  console.log(`${name.padEnd(52)} ${value.toFixed(0).padStart(8)} ${unit.padEnd(9)} ${ratio}`);
}

async function main() {
  ensureSystemPackages(['nats-server']);
  ensureNodeModules(root);
  const { buildServices } = await import('./lib/build.mjs');
  buildServices(root, () => {});
  const { createLogger, OutboxRelay } = require('@ticketing/common');
  const { startNatsServer, startTestService, sessionCookie, TEST_JWT_KEY } = require('@ticketing/common/testing');
  const { ticketsService } = require(path.join(root, 'tickets/dist/service.js'));
  const { createGateway, loadIngressRoutes } = await import('./lib/gateway.mjs');
  const logger = createLogger('bench', 'silent');

  const nats = await startNatsServer();
  const tickets = await startTestService(ticketsService, { natsUrl: nats.url, relayIntervalMs: 1000 });
  const { database } = tickets;
  const wrapper = tickets.context.nats;
  const cookie = sessionCookie(TEST_JWT_KEY, { id: 'u1', email: 'b@b.co' })[0];

  const servers = [];
  const serve = async (handler) => {
    const server = http.createServer(handler);
    servers.push(server);
    return listen(server);
  };
  const hello = await serve((_req, res) => res.end('{"ok":true}'));
  const ticketsPort = tickets.port;
  const gateway = createGateway({
    routes: loadIngressRoutes(path.join(root, 'infra/k8s/ingress-srv.yaml')),
    ports: { 'tickets-srv': ticketsPort },
  });
  servers.push(gateway);
  const gatewayPort = await listen(gateway);

  console.log(`ticketing benchmarks: ${seconds} s per HTTP run, 10 connections, this machine, one process each\n`);

  // HTTP: the service's read path against a bare node:http server answering the same way.
  for (let i = 0; i < 50; i++) {
    await fetch(`http://127.0.0.1:${ticketsPort}/api/tickets`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ title: `seed ${i}`, price: 10 + i }),
    });
  }
  const bare = await load(`http://127.0.0.1:${hello}/`);
  row('node:http answering a constant (baseline)', bare, 'req/s');
  const health = await load(`http://127.0.0.1:${ticketsPort}/healthz`);
  row('tickets GET /healthz (Express stack, no database)', health, 'req/s', bare);
  const list = await load(`http://127.0.0.1:${ticketsPort}/api/tickets?limit=50`);
  row('tickets GET /api/tickets?limit=50 (PGlite)', list, 'req/s', bare);
  const viaGateway = await load(`http://127.0.0.1:${gatewayPort}/api/tickets?limit=50`);
  row('the same through the local gateway', viaGateway, 'req/s', list);
  const create = await load(`http://127.0.0.1:${ticketsPort}/api/tickets`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'bench', price: 12.5 }),
  });
  row('tickets POST /api/tickets (ticket + outbox row, relay on)', create, 'req/s', list);
  await tickets.relay.stop();

  // Publishing: the outbox relay (read, publish, mark) against bare sequential js.publish.
  const events = 2000;
  const js = wrapper.jetstream;
  let started = performance.now();
  for (let i = 0; i < events; i++) await js.publish('ticket:created', '{"id":"x"}', { msgID: `bare-${i}` });
  const direct = events / ((performance.now() - started) / 1000);
  console.log('');
  row(`js.publish, awaited one by one (${events} events, baseline)`, direct, 'events/s');
  const { sql } = require('drizzle-orm');
  await database.db.execute(sql`delete from outbox`);
  await database.db.execute(
    sql`insert into outbox (id, subject, data) select gen_random_uuid(), 'ticket:created', '{"id":"x"}'::jsonb from generate_series(1, ${events})`,
  );
  const drain = new OutboxRelay({
    database,
    logger,
    publish: (subject, data, msgId) =>
      js.publish(subject, JSON.stringify(data), { msgID: msgId }).then((ack) => ack.seq),
  });
  started = performance.now();
  const published = await drain.runOnce();
  const relayed = published / ((performance.now() - started) / 1000);
  row(`outbox relay draining a backlog (${published} rows)`, relayed, 'events/s', direct);

  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await tickets.close();
  await nats.destroy();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
