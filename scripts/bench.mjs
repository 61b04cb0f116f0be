#!/usr/bin/env node
// `npm run bench`: the hot paths of the system as `npm start` runs it, each measured against
// a baseline of the raw work it has to do, in the same run on the same machine (absolute
// numbers vary between machines; the ratios are what to watch). On PGlite (on disk, as
// npm start keeps it) and on a PostgreSQL server (the test harness's), 10 connections.
//   BENCH_SECONDS=5             seconds per load run
//   BENCH_DATABASES=pglite,postgres
//   BENCH_TICKETS=10000         tickets in the table before reads are measured
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ensureSystemPackages } from './lib/system-deps.mjs';
import { ensureNodeModules } from './lib/node-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const kinds = (process.env.BENCH_DATABASES ?? 'pglite,postgres').split(',').map((kind) => kind.trim());
const ticketTarget = Number(process.env.BENCH_TICKETS ?? 10_000);
const CONNECTIONS = 10;
const started = [];
const summary = [];

/** Spawns a Node script that prints `READY <info>` once it serves; resolves with the child and the info. */
function spawnReady(script, args, env = process.env) {
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(child);
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (!line.startsWith('READY ')) return;
      const info = line.slice(6);
      resolve({ child, info: info.startsWith('{') ? JSON.parse(info) : Number(info) });
    });
    child.once('exit', (code) => reject(new Error(`${path.basename(script)} exited with ${code} before it was ready`)));
  });
}

function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** One autocannon run; throws on any error or non-2xx answer. */
async function load(url, options = {}) {
  const autocannon = require('autocannon');
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, ...options });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return { rate: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

function line(name, value, baseline) {
  const figures = `${value.rate.toFixed(0).padStart(7)}/s  p50 ${String(value.p50 ?? '-').padStart(4)} ms  p99 ${String(value.p99 ?? '-').padStart(4)} ms`;
  const ratio = baseline ? `${(value.rate / baseline.rate).toFixed(2)}× baseline` : 'baseline';
  console.log(`  ${name.padEnd(58)} ${figures}  ${ratio}`);
}

function target(kind, name, met, detail) {
  summary.push({ kind, name, met, detail });
  console.log(`  → ${met ? 'met    ' : 'NOT met'}  ${name}: ${detail}`);
}

function rssMb(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Waits until a durable consumer has handed out and settled everything. */
async function consumerIdle(nc, durable, timeoutMs = 120_000) {
  const { jetstreamManager } = require('@nats-io/jetstream');
  const jsm = await jetstreamManager(nc);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await jsm.consumers.info('ticketing', durable).catch(() => null);
    if (info && info.num_pending === 0 && info.num_ack_pending === 0) return;
    if (Date.now() > deadline) throw new Error(`${durable} still busy after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function bench(kind, tools) {
  const { sessionCookie, startPostgresServer } = tools;
  const dataDir = mkdtempSync(path.join(tmpdir(), `ticketing-bench-${kind}-`));
  const env = { ...process.env, JWT_KEY: 'bench-jwt-key-0123456789abcdef' };
  let server;
  const databases = {};
  if (kind === 'postgres') {
    server = await startPostgresServer();
    const pg = require('pg');
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    for (const name of ['tickets', 'orders', 'auth', 'expiration', 'payments', 'raw']) {
      await admin.query(`create database bench_${name}`);
      const url = new URL(server.url);
      url.pathname = `/bench_${name}`;
      databases[name] = url.toString();
      env[`${name.toUpperCase()}_DATABASE_URL`] = url.toString();
    }
    await admin.end();
  }
  try {
    console.log(`\n${kind === 'pglite' ? 'PGlite, on disk' : 'PostgreSQL 15 server'}:`);
    const stack = await spawnReady(path.join(root, 'scripts/bench/stack-server.mjs'), [dataDir], env);
    const { url, natsUrl, pids } = stack.info;
    const store = (name) =>
      kind === 'pglite' ? `pglite:${path.join(dataDir, `raw-${name}`)}` : `postgres:${databases.raw}`;
    const seller = sessionCookie(env.JWT_KEY, { id: 'bench-seller' })[0];
    const json = { 'content-type': 'application/json' };
    const ticketBody = JSON.stringify({ title: 'Bench night', price: 12.5 });

    // Writes: a ticket through the gateway against node:http + one insert + one awaited publish.
    const rawCreate = await spawnReady(path.join(root, 'scripts/bench/raw-server.mjs'), [
      'create',
      store('create'),
      natsUrl,
      path.join(dataDir, 'credentials', 'runner.nk'),
    ]);
    const rawCreateRate = await load(`http://127.0.0.1:${rawCreate.info}/`, {
      method: 'POST',
      headers: json,
      body: ticketBody,
    });
    await stopChild(rawCreate.child);
    line('raw: node:http + insert + awaited publish (baseline)', rawCreateRate);
    const ids = [];
    const create = await load(`${url}/api/tickets`, {
      method: 'POST',
      headers: { ...json, cookie: seller },
      body: ticketBody,
      requests: [{ onResponse: (_status, body) => ids.push(JSON.parse(body).id) }],
    });
    line('POST /api/tickets through the gateway', create, rawCreateRate);
    target(
      kind,
      'create ≥ 0.6× raw',
      create.rate >= 0.6 * rawCreateRate.rate,
      `${(create.rate / rawCreateRate.rate).toFixed(2)}×`,
    );

    // Event lag: 201 seen by the client → the handler of a listener, at half the create rate.
    const lag = await eventLag(tools, natsUrl, url, seller, Math.max(1, Math.floor(create.rate / 2)));
    target(
      kind,
      'event lag p50 ≤ 5 ms, p99 ≤ 50 ms',
      lag.p50 <= 5 && lag.p99 <= 50,
      `p50 ${lag.p50} ms, p99 ${lag.p99} ms over ${lag.count} events`,
    );

    // Fill the table, then reads.
    const missing = ticketTarget - ids.length - lag.count;
    if (missing > 0) {
      const autocannon = require('autocannon');
      await autocannon({
        url: `${url}/api/tickets`,
        connections: CONNECTIONS,
        amount: missing,
        method: 'POST',
        headers: { ...json, cookie: seller },
        body: ticketBody,
        requests: [{ onResponse: (_status, body) => ids.push(JSON.parse(body).id) }],
      });
    }
    // The runner's own credential (authorization is on): it may read every consumer.
    const runnerSeed = path.join(dataDir, 'credentials', 'runner.nk');
    const { connect, nkeyAuthenticator } = require('@nats-io/transport-node');
    const nc = await connect({
      servers: natsUrl,
      authenticator: nkeyAuthenticator(new TextEncoder().encode(readFileSync(runnerSeed, 'utf8').trim())),
    });
    await consumerIdle(nc, 'orders-service-ticket:created');
    const rss = { tickets: rssMb(pids.tickets), orders: rssMb(pids.orders) };

    const list = await load(`${url}/api/tickets?limit=50`);
    line(`GET /api/tickets?limit=50 through the gateway (${ticketTarget} tickets)`, list);
    let next = 0;
    const show = await load(`${url}/api/tickets`, {
      requests: [{ setupRequest: (req) => ({ ...req, path: `/api/tickets/${ids[next++ % ids.length]}` }) }],
    });
    line('GET /api/tickets/:id through the gateway', show);

    // Orders: copy lookup + insert + outbox, against node:http + lookup + insert + publish.
    const rawOrder = await spawnReady(path.join(root, 'scripts/bench/raw-server.mjs'), [
      'order',
      store('create'),
      natsUrl,
      path.join(dataDir, 'credentials', 'runner.nk'),
    ]);
    const rawOrderRate = await load(`http://127.0.0.1:${rawOrder.info}/`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ ticketId: randomUUID() }),
    });
    await stopChild(rawOrder.child);
    line('raw: node:http + lookup + insert + awaited publish (baseline)', rawOrderRate);
    let free = 0;
    // Many buyers, as in a sale: one buyer may hold only a few orders awaiting payment (10).
    const buyers = new Map();
    const buyerOf = (n) => {
      const id = `bench-buyer-${Math.floor(n / 5)}`;
      if (!buyers.has(id)) buyers.set(id, sessionCookie(env.JWT_KEY, { id })[0]);
      return buyers.get(id);
    };
    const order = await load(`${url}/api/orders`, {
      method: 'POST',
      headers: json,
      amount: Math.min(ids.length, Math.ceil(rawOrderRate.rate * seconds)),
      requests: [
        {
          setupRequest: (req) => {
            const n = free++;
            return {
              ...req,
              headers: { ...req.headers, cookie: buyerOf(n) },
              body: JSON.stringify({ ticketId: ids[n] }),
            };
          },
        },
      ],
    });
    line('POST /api/orders through the gateway', order, rawOrderRate);
    target(
      kind,
      'orders create ≥ 0.6× raw',
      order.rate >= 0.6 * rawOrderRate.rate,
      `${(order.rate / rawOrderRate.rate).toFixed(2)}×`,
    );
    await nc.close();

    await stopChild(stack.child);
    // The same reads, raw, on the same database now that tickets has let go of it.
    const raw = await rawReads(kind, kind === 'pglite' ? path.join(dataDir, 'tickets') : databases.tickets, ids);
    line('raw: the list query on the same database (baseline)', raw.list);
    line('raw: the show query on the same database (baseline)', raw.show);
    target(
      kind,
      'list ≥ 0.6× raw, p99 ≤ 20 ms',
      list.rate >= 0.6 * raw.list.rate && list.p99 <= 20,
      `${(list.rate / raw.list.rate).toFixed(2)}×, p99 ${list.p99} ms`,
    );
    target(
      kind,
      'show ≥ 0.6× raw, p99 ≤ 20 ms',
      show.rate >= 0.6 * raw.show.rate && show.p99 <= 20,
      `${(show.rate / raw.show.rate).toFixed(2)}×, p99 ${show.p99} ms`,
    );
    const limit = kind === 'pglite' ? 200 : 120;
    target(
      kind,
      `RSS ≤ ${limit} MB after ${ticketTarget} creates`,
      rss.tickets <= limit && rss.orders <= limit,
      `tickets ${rss.tickets.toFixed(0)} MB, orders ${rss.orders.toFixed(0)} MB`,
    );
  } finally {
    for (const child of started.splice(0)) await stopChild(child);
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Creates tickets at `rate` for BENCH_SECONDS and measures, per ticket, 201 → listener handler. */
async function eventLag(tools, natsUrl, url, cookie, rate) {
  const { Listener, Subjects, NatsWrapper, createLogger } = tools;
  const wrapper = new NatsWrapper();
  await wrapper.connect('ticketing', `bench-lag-${process.pid}`, natsUrl, { logger: createLogger('bench', 'silent') });
  const answered = new Map();
  const handled = new Map();
  class LagListener extends Listener {
    subject = Subjects.TicketCreated;
    queueGroupName = `bench-lag-${randomUUID().slice(0, 8)}`;
    async onMessage(data) {
      handled.set(data.id, performance.now());
    }
  }
  const listener = new LagListener(wrapper.client, createLogger('bench', 'silent'));
  await listener.listen();
  await consumerIdle(wrapper.client, listener.durableName);
  handled.clear();
  const autocannon = require('autocannon');
  await autocannon({
    url: `${url}/api/tickets`,
    connections: CONNECTIONS,
    duration: seconds,
    overallRate: rate,
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ title: 'Lag', price: 1 }),
    requests: [{ onResponse: (_status, body) => answered.set(JSON.parse(body).id, performance.now()) }],
  });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await listener.close();
  await wrapper.close();
  const lags = [...answered].map(([id, at]) => (handled.get(id) ?? Infinity) - at).sort((a, b) => a - b);
  const p50 = Math.max(0, percentile(lags, 50)).toFixed(1);
  const p99 = Math.max(0, percentile(lags, 99)).toFixed(1);
  console.log(`  ${`event lag at ${rate}/s, 201 → listener handler`.padEnd(58)} p50 ${p50} ms  p99 ${p99} ms`);
  return { p50: Number(p50), p99: Number(p99), count: answered.size };
}

/** The list and show queries the service runs, run raw on its database for BENCH_SECONDS each. */
async function rawReads(kind, where, ids) {
  // As tickets' prepared reads (tickets/src/db/ticket-repository.ts) write them.
  const columns = 'id, title, price_cents, user_id, version, created_at, order_id, sold';
  const list = `select ${columns} from tickets order by created_at desc nulls last, id desc nulls last limit 51`;
  const show = `select ${columns} from tickets where id = $1 limit 1`;
  let query;
  let close;
  let parallel;
  if (kind === 'pglite') {
    const { PGlite } = require('@electric-sql/pglite');
    const db = await PGlite.create(where);
    query = (text, params) => db.query(text, params);
    close = () => db.close();
    // One connection in one process: the queries run one after another.
    parallel = 1;
  } else {
    const pg = require('pg');
    const pool = new pg.Pool({ connectionString: where, max: CONNECTIONS });
    query = (text, params) => pool.query(text, params);
    close = () => pool.end();
    parallel = CONNECTIONS;
  }
  const measure = async (text, params) => {
    const deadline = performance.now() + seconds * 1000;
    let count = 0;
    const timings = [];
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (performance.now() < deadline) {
          const begin = performance.now();
          await query(text, params());
          timings.push(performance.now() - begin);
          count++;
        }
      }),
    );
    timings.sort((a, b) => a - b);
    return { rate: count / seconds, p50: percentile(timings, 50).toFixed(1), p99: percentile(timings, 99).toFixed(1) };
  };
  try {
    let i = 0;
    return { list: await measure(list, () => []), show: await measure(show, () => [ids[i++ % ids.length]]) };
  } finally {
    await close();
  }
}

async function main() {
  ensureSystemPackages(['nats-server', ...(kinds.includes('postgres') ? ['postgresql'] : [])]);
  ensureNodeModules(root);
  const { buildServices } = await import('./lib/build.mjs');
  buildServices(root, () => {});
  const tools = {
    ...require('@ticketing/common/events'),
    ...require('@ticketing/common/testing'),
  };
  console.log(
    `ticketing benchmarks: ${seconds} s per run, ${CONNECTIONS} connections, this machine, npm start's shape`,
  );
  for (const kind of kinds) await bench(kind, tools);
  console.log('\nsummary:');
  for (const { kind, name, met, detail } of summary) {
    console.log(`  ${met ? 'met    ' : 'NOT met'}  ${kind.padEnd(8)} ${name.padEnd(36)} ${detail}`);
  }
}

main().catch(async (error) => {
  console.error(error);
  for (const child of started) child.kill('SIGKILL');
  process.exit(1);
});
