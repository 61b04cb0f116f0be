#!/usr/bin/env node
// `npm run bench`: the hot paths of the system as `npm start` runs it, measured in one run on
// one machine against what a user would otherwise run — the course's design on the same parts
// (scripts/bench/course-server.mjs) — and against the raw floor (scripts/bench/raw-server.mjs).
// Absolute numbers vary between machines; the ratios are what to watch. For each path: req/s,
// p50/p99, and the machine's CPU per request (every process's busy time from /proc/stat, less
// this process's own, which runs the load; until the event's copy is made where there is one).
// On a PostgreSQL server (npm start's default) and on PGlite (on disk), 10 connections.
//   BENCH_SECONDS=5             seconds per load run
//   BENCH_DATABASES=postgres,pglite
//   BENCH_TICKETS=10000         tickets in the table before reads are measured
//   BENCH_TRACES=0              skip the create with traces on (npm start keeps them by default)
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
const kinds = (process.env.BENCH_DATABASES ?? 'postgres,pglite').split(',').map((kind) => kind.trim());
const ticketTarget = Number(process.env.BENCH_TICKETS ?? 10_000);
const CONNECTIONS = 10;
const WARMUP_SECONDS = 1;
const CLOCK_TICKS = 100; // USER_HZ: /proc/stat's unit (getconf CLK_TCK)
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

/** The whole machine's busy CPU time so far, in ms (every process, all cores). */
function machineBusyMs() {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  return ((user + nice + system + irq + softirq + steal) * 1000) / CLOCK_TICKS;
}

/** This process's own CPU time so far, in ms: the load generator's. */
function ownCpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * CPU time so far, in ms, of each component given by the pid at the root of its process
 * tree: the process and everything it started (a guard, nginx's master and worker, …),
 * except the trees of the other roots inside it (the runner's children are components of
 * their own; the runner counts for itself only).
 * @param {Record<string, number>} roots
 */
function componentCpuMs(roots) {
  const procs = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After "(comm)": state, ppid, …; utime and stime are fields 14 and 15 of the line.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(entry), {
        ppid: Number(fields[1]),
        ms: ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS,
      });
    } catch {
      // ended meanwhile
    }
  }
  const children = new Map();
  for (const [pid, { ppid }] of procs) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const rootPids = new Set(Object.values(roots));
  const tree = (pid) =>
    (procs.get(pid)?.ms ?? 0) +
    (children.get(pid) ?? []).filter((child) => !rootPids.has(child)).reduce((sum, child) => sum + tree(child), 0);
  return Object.fromEntries(Object.entries(roots).map(([name, pid]) => [name, tree(pid)]));
}

/**
 * One autocannon run; throws on any error or non-2xx answer. `settle` is awaited before the
 * CPU window closes (the event's copy made), so what the request set off is counted too.
 */
async function load(url, options = {}, settle = async () => {}, components = undefined) {
  const autocannon = require('autocannon');
  // Warmed up first, unmeasured, what it set off settled: the first path measured on a fresh
  // process would otherwise pay for the JIT and look slower than the next (a fixed number of
  // requests, the reservations, is taken as it is: each uses up a ticket).
  if (options.amount === undefined) {
    await autocannon({ url, connections: CONNECTIONS, duration: WARMUP_SECONDS, ...options });
    await settle();
  }
  const before = components && componentCpuMs(components);
  const busy = machineBusyMs();
  const own = ownCpuMs();
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, ...options });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  await settle();
  const answered = Math.max(1, result['2xx']);
  const cpuMs = (machineBusyMs() - busy - (ownCpuMs() - own)) / answered;
  const after = components && componentCpuMs(components);
  const byComponent =
    after && Object.fromEntries(Object.entries(after).map(([name, ms]) => [name, (ms - before[name]) / answered]));
  return { rate: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuMs, byComponent };
}

/** Where a request's machine CPU went: each component, and the rest (the database server, the kernel). */
function breakdown(value) {
  if (!value.byComponent) return;
  const named = Object.entries(value.byComponent).sort(([, a], [, b]) => b - a);
  const rest = value.cpuMs - named.reduce((sum, [, ms]) => sum + ms, 0);
  const parts = [...named, ['the rest', rest]].map(([name, ms]) => `${name} ${ms.toFixed(2)}`);
  console.log(`      by component, ms CPU per request: ${parts.join(' · ')}`);
}

function line(name, value, baseline, baselineName = 'raw') {
  const figures = `${value.rate.toFixed(0).padStart(7)}/s  p50 ${String(value.p50 ?? '-').padStart(4)} ms  p99 ${String(value.p99 ?? '-').padStart(4)} ms`;
  const cpu = value.cpuMs === undefined ? '' : `  ${value.cpuMs.toFixed(2).padStart(5)} ms CPU`;
  const ratio = baseline ? `  ${(value.rate / baseline.rate).toFixed(2)}× ${baselineName}` : '';
  console.log(`  ${name.padEnd(58)} ${figures}${cpu}${ratio}`);
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
async function consumerIdle(nc, durable, timeoutMs = 120_000, stream = 'ticketing') {
  const { jetstreamManager } = require('@nats-io/jetstream');
  const jsm = await jetstreamManager(nc);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await jsm.consumers.info(stream, durable).catch(() => null);
    if (info && info.num_pending === 0 && info.num_ack_pending === 0) return;
    if (Date.now() > deadline) throw new Error(`${durable} still busy after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function bench(kind, tools) {
  const { sessionCookie, startPostgresServer } = tools;
  const dataDir = mkdtempSync(path.join(tmpdir(), `ticketing-bench-${kind}-`));
  // The stack's services on this kind: PGlite folders under dataDir, or the databases made below.
  const env = { ...process.env, JWT_KEY: 'bench-jwt-key-0123456789abcdef', DATABASE: kind };
  let server;
  const databases = {};
  if (kind === 'postgres') {
    server = await startPostgresServer();
    const pg = require('pg');
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    for (const name of ['tickets', 'orders', 'auth', 'expiration', 'payments', 'raw', 'course']) {
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
    // First, the same system with its traces kept (OTLP to the runner's receiver), as npm start
    // runs by default; stopped before the system measured below starts on the same databases.
    let traced;
    if (process.env.BENCH_TRACES !== '0') {
      const tracedStack = await spawnReady(path.join(root, 'scripts/bench/stack-server.mjs'), [dataDir], {
        ...env,
        BENCH_TRACES: '1',
      });
      const tracedDirect = `http://127.0.0.1:${tracedStack.info.ports['tickets-srv']}`;
      const cookie = sessionCookie(env.JWT_KEY, { id: 'bench-seller' })[0];
      const { connect, nkeyAuthenticator } = require('@nats-io/transport-node');
      const tracedBus = await connect({
        servers: tracedStack.info.natsUrl,
        authenticator: nkeyAuthenticator(
          new TextEncoder().encode(readFileSync(path.join(dataDir, 'credentials', 'runner.nk'), 'utf8').trim()),
        ),
      });
      traced = await load(
        `${tracedDirect}/api/tickets`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie },
          body: JSON.stringify({ title: 'Traced night', price: 12.5 }),
        },
        // As the untraced create below: until orders has its copy of every ticket.
        async () => {
          for (;;) {
            const ready = await (await fetch(`${tracedDirect}/readyz`)).json();
            if (ready.outboxPending === 0) break;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
          await consumerIdle(tracedBus, 'orders-service-ticket:created');
        },
      );
      await tracedBus.close();
      await stopChild(tracedStack.child);
    }
    const stack = await spawnReady(path.join(root, 'scripts/bench/stack-server.mjs'), [dataDir], env);
    const { url, natsUrl, pids, ports } = stack.info;
    const ticketsDirect = `http://127.0.0.1:${ports['tickets-srv']}`;
    const store = (name) =>
      kind === 'pglite' ? `pglite:${path.join(dataDir, `raw-${name}`)}` : `postgres:${databases.raw}`;
    const seller = sessionCookie(env.JWT_KEY, { id: 'bench-seller' })[0];
    const json = { 'content-type': 'application/json' };
    const ticketBody = JSON.stringify({ title: 'Bench night', price: 12.5 });
    // The runner's own credential (authorization is on): it may read every consumer.
    const runnerSeed = path.join(dataDir, 'credentials', 'runner.nk');
    const { connect, nkeyAuthenticator } = require('@nats-io/transport-node');
    const nc = await connect({
      servers: natsUrl,
      authenticator: nkeyAuthenticator(new TextEncoder().encode(readFileSync(runnerSeed, 'utf8').trim())),
    });
    // Until every ticket created so far is in orders' copy: published from the outbox, then handled.
    const copiedToOrders = async () => {
      for (;;) {
        const ready = await (await fetch(`${ticketsDirect}/readyz`)).json();
        if (ready.outboxPending === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await consumerIdle(nc, 'orders-service-ticket:created');
    };

    // Writes: the raw floor, the course's design, then this project direct and through the edge.
    const rawCreate = await spawnReady(path.join(root, 'scripts/bench/raw-server.mjs'), [
      'create',
      store('create'),
      natsUrl,
      runnerSeed,
    ]);
    const rawCreateRate = await load(`http://127.0.0.1:${rawCreate.info}/`, {
      method: 'POST',
      headers: json,
      body: ticketBody,
    });
    await stopChild(rawCreate.child);
    line('raw: node:http + insert + awaited publish (the floor)', rawCreateRate);

    const course = await courseCreate(kind, tools, dataDir, databases, env, { ...json, cookie: seller }, ticketBody);
    line("the course's design: create direct (its copy in orders)", course, rawCreateRate);

    const ids = [];
    const creates = {
      method: 'POST',
      headers: { ...json, cookie: seller },
      body: ticketBody,
      requests: [{ onResponse: (_status, body) => ids.push(JSON.parse(body).id) }],
    };
    const direct = await load(`${ticketsDirect}/api/tickets`, creates, copiedToOrders);
    line('this project: create direct to tickets (its copy in orders)', direct, course, "the course's");
    // The runner (its log handling) and every component it started, each on its own.
    const components = { runner: stack.child.pid, ...pids };
    const create = await load(`${url}/api/tickets`, creates, copiedToOrders, components);
    line('this project: create through the local edge (nginx)', create, direct, 'direct');
    breakdown(create);
    if (traced) line('this project: create direct, traces kept (npm start)', traced, direct, 'untraced');
    target(
      kind,
      "create direct ≥ 1.0× the course's",
      direct.rate >= course.rate,
      `${(direct.rate / course.rate).toFixed(2)}× (${direct.rate.toFixed(0)}/s against ${course.rate.toFixed(0)}/s)`,
    );
    target(
      kind,
      "CPU per create ≤ 1.0× the course's",
      direct.cpuMs <= course.cpuMs,
      `${(direct.cpuMs / course.cpuMs).toFixed(2)}× (${direct.cpuMs.toFixed(2)} ms against ${course.cpuMs.toFixed(2)} ms)`,
    );
    target(
      kind,
      'create through the edge ≥ 0.9× direct',
      create.rate >= 0.9 * direct.rate,
      `${(create.rate / direct.rate).toFixed(2)}×, ${(create.cpuMs - direct.cpuMs).toFixed(2)} ms of CPU more per create`,
    );

    // Event lag: 201 seen by the client → the handler of a listener, at 80 % of the peak create rate.
    const lag = await eventLag(tools, natsUrl, runnerSeed, url, seller, Math.max(1, Math.floor(create.rate * 0.8)));
    target(
      kind,
      'event lag p50 ≤ 10 ms, p99 ≤ 50 ms',
      lag.p50 <= 10 && lag.p99 <= 50,
      `p50 ${lag.p50} ms, p99 ${lag.p99} ms over ${lag.count} events`,
    );

    // Fill the table, then reads.
    const missing = ticketTarget - ids.length - lag.count;
    if (missing > 0) await listTickets(url, { ...json, cookie: seller }, eventTicketBody, missing, ids);
    await copiedToOrders();
    const rss = { tickets: rssMb(pids.tickets), orders: rssMb(pids.orders) };

    const list = await load(`${url}/api/tickets?limit=50`);
    line(`GET /api/tickets?limit=50 through the edge (${ticketTarget} tickets)`, list);
    let next = 0;
    const show = await load(`${url}/api/tickets`, {
      requests: [{ setupRequest: (req) => ({ ...req, path: `/api/tickets/${ids[next++ % ids.length]}` }) }],
    });
    line('GET /api/tickets/:id through the edge', show);
    const search = await load(`${url}${SEARCH}`);
    line(`GET ${SEARCH} through the edge`, search);

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
    line('raw: node:http + lookup + insert + awaited publish (the floor)', rawOrderRate);
    let free = 0;
    // Many buyers, as in a sale: one buyer may hold only a few orders awaiting payment (10).
    const buyers = new Map();
    const buyerOf = (n) => {
      const id = `bench-buyer-${Math.floor(n / 5)}`;
      if (!buyers.has(id)) buyers.set(id, sessionCookie(env.JWT_KEY, { id })[0]);
      return buyers.get(id);
    };
    const order = await load(
      `${url}/api/orders`,
      {
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
      },
      async () => {},
      components,
    );
    line('POST /api/orders through the edge', order, rawOrderRate);
    breakdown(order);
    target(
      kind,
      'reservations through the edge ≥ 0.8× creates',
      order.rate >= 0.8 * create.rate,
      `${(order.rate / create.rate).toFixed(2)}× (${order.rate.toFixed(0)}/s against ${create.rate.toFixed(0)}/s)`,
    );

    // A flash sale: buyers racing for the same tickets through the edge.
    const sale = await flashSale({ url, seller, json, copiedToOrders, ticketBody, jwtKey: env.JWT_KEY, tools });
    target(
      kind,
      'flash sale: one order per ticket, the rest 400, p99 ≤ 150 ms',
      sale.correct && sale.p99 <= 150,
      `${sale.created} orders for ${sale.tickets} tickets, ${sale.refused} refused with 400, ${sale.other} other answers; ` +
        `${sale.rate.toFixed(0)} attempts/s, p99 ${sale.p99} ms`,
    );
    await nc.close();

    await stopChild(stack.child);
    // The same reads, raw, on the same database now that tickets has let go of it.
    const raw = await rawReads(kind, kind === 'pglite' ? path.join(dataDir, 'tickets') : databases.tickets, ids);
    line('raw: the list query on the same database (the floor)', raw.list);
    line('raw: the show query on the same database (the floor)', raw.show);
    line('raw: the search query on the same database (the floor)', raw.search);
    target(
      kind,
      'list (limit 50) p99 ≤ 20 ms through the edge',
      list.p99 <= 20,
      `${(list.rate / raw.list.rate).toFixed(2)}× raw, p99 ${list.p99} ms`,
    );
    target(
      kind,
      `search of ${ticketTarget} tickets (words, city, soonest) p99 ≤ 20 ms through the edge`,
      search.p99 <= 20,
      `${(search.rate / raw.search.rate).toFixed(2)}× raw, p99 ${search.p99} ms`,
    );
    target(
      kind,
      'show p99 ≤ 20 ms through the edge',
      show.p99 <= 20,
      `${(show.rate / raw.show.rate).toFixed(2)}× raw, p99 ${show.p99} ms`,
    );
    const limit = kind === 'pglite' ? 250 : 120;
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

/**
 * The course's design on the same parts: its tickets service and orders' ticket listener
 * (scripts/bench/course-server.mjs) on a nats-server of their own and this database kind.
 * Creates direct to its tickets service, the CPU window closing once its copies are made.
 */
async function courseCreate(kind, tools, dataDir, databases, env, headers, body) {
  const nats = await tools.startNatsServer({ auth: false, stream: null });
  const store = (name) =>
    kind === 'pglite' ? `pglite:${path.join(dataDir, `course-${name}`)}` : `postgres:${databases.course}`;
  const script = path.join(root, 'scripts/bench/course-server.mjs');
  const { connect } = require('@nats-io/transport-node');
  let nc;
  const children = [];
  try {
    // The listener first: it makes the stream and its consumer before the first publish.
    const listener = await spawnReady(script, ['orders', store('orders'), nats.url], env);
    children.push(listener.child);
    const tickets = await spawnReady(script, ['tickets', store('tickets'), nats.url], env);
    children.push(tickets.child);
    nc = await connect({ servers: nats.url });
    const copied = () => consumerIdle(nc, 'course-orders-ticket-created', 120_000, 'course');
    return await load(`http://127.0.0.1:${tickets.info}/api/tickets`, { method: 'POST', headers, body }, copied);
  } finally {
    await nc?.close();
    for (const child of children.reverse()) await stopChild(child);
    await nats.destroy();
  }
}

/** Lists `amount` tickets through the edge as fast as 10 connections go, adding their ids to `ids`. */
/** Lists `amount` tickets, each with `body` (or the body `body(n)` makes for the n-th). */
async function listTickets(url, headers, body, amount, ids) {
  const autocannon = require('autocannon');
  let n = 0;
  await autocannon({
    url: `${url}/api/tickets`,
    connections: CONNECTIONS,
    amount,
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : undefined,
    requests: [
      {
        setupRequest: (req) => (typeof body === 'string' ? req : { ...req, body: body(n++) }),
        onResponse: (_status, answer) => ids.push(JSON.parse(answer).id),
      },
    ],
  });
}

const ACTS = ['Jazz quartet', 'Rock night', 'Symphony', 'Comedy club', 'Opera gala', 'Hip hop live', 'Folk session'];
const CITIES = [
  'Boston',
  'Chicago',
  'Denver',
  'Austin',
  'Seattle',
  'Miami',
  'Portland',
  'Atlanta',
  'Phoenix',
  'Detroit',
];

/** The n-th of the tickets the reads run on: acts, cities and dates over the coming year. */
function eventTicketBody(n) {
  return JSON.stringify({
    title: `${ACTS[n % ACTS.length]} ${n}`,
    price: 10 + (n % 90),
    eventAt: new Date(Date.now() + (1 + (n % 360)) * 86_400_000 + (n % 24) * 3_600_000).toISOString(),
    timeZone: 'America/New_York',
    venue: `Hall ${n % 40}`,
    city: CITIES[n % CITIES.length],
  });
}

/** What a buyer searches for: a word and a city, soonest first (one ticket in seventy matches). */
const SEARCH = '/api/tickets?q=jazz&city=boston&sort=soonest&limit=50';

/**
 * 500 tickets listed, then 5,000 reservation attempts from 100 connections through the edge on
 * random tickets by many buyers, then one more attempt per ticket: exactly one order per ticket
 * must be created, every other attempt a 400 in the error format, nothing else.
 */
async function flashSale({ url, seller, json, copiedToOrders, ticketBody, jwtKey, tools }) {
  const autocannon = require('autocannon');
  const TICKETS = 500;
  const ids = [];
  await listTickets(url, { ...json, cookie: seller }, ticketBody, TICKETS, ids);
  await copiedToOrders();
  // 2,000 buyers: no one reaches the cap on orders awaiting payment.
  const buyers = Array.from({ length: 2_000 }, (_, i) => tools.sessionCookie(jwtKey, { id: `sale-buyer-${i}` })[0]);
  const statuses = new Map();
  let errorFormat = true;
  const attempt = (ticketOf) => {
    let n = 0;
    return [
      {
        method: 'POST',
        setupRequest: (req) => {
          const i = n++;
          return {
            ...req,
            headers: { ...json, cookie: buyers[Math.floor(Math.random() * buyers.length)] },
            body: JSON.stringify({ ticketId: ids[ticketOf(i)] }),
          };
        },
        onResponse: (status, body) => {
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status === 400 && !Array.isArray(JSON.parse(body).errors)) errorFormat = false;
        },
      },
    ];
  };
  const rush = await autocannon({
    url: `${url}/api/orders`,
    connections: 100,
    amount: 5_000,
    requests: attempt(() => Math.floor(Math.random() * ids.length)),
  });
  const last = await autocannon({
    url: `${url}/api/orders`,
    connections: 10,
    amount: ids.length,
    requests: attempt((i) => i),
  });
  const created = statuses.get(201) ?? 0;
  const refused = statuses.get(400) ?? 0;
  const other = 5_000 + ids.length - created - refused;
  const result = {
    tickets: ids.length,
    created,
    refused,
    other,
    correct:
      ids.length === TICKETS &&
      created === TICKETS &&
      other === 0 &&
      errorFormat &&
      rush.errors === 0 &&
      last.errors === 0,
    rate: rush.requests.average,
    p99: rush.latency.p99,
  };
  line('flash sale: 5,000 attempts on 500 tickets, 100 connections', {
    rate: result.rate,
    p50: rush.latency.p50,
    p99: rush.latency.p99,
  });
  if (other > 0) {
    // What the other answers were: statuses, and attempts that got none (autocannon gives up after 10 s).
    const answers = [...statuses].filter(([status]) => status !== 201 && status !== 400);
    const none = { timeouts: rush.timeouts + last.timeouts, errors: rush.errors + last.errors };
    console.log(
      `      other answers: ${[...answers.map(([status, n]) => `${status}×${n}`), `no answer (timed out) ×${none.timeouts}`, `errors ×${none.errors}`].join(', ')}; latency max ${rush.latency.max} ms`,
    );
  }
  return result;
}

/** Creates tickets at `rate` for BENCH_SECONDS and measures, per ticket, 201 → listener handler. */
async function eventLag(tools, natsUrl, seedFile, url, cookie, rate) {
  const { Listener, Subjects, NatsWrapper, createLogger } = tools;
  const wrapper = new NatsWrapper();
  await wrapper.connect('ticketing', `bench-lag-${process.pid}`, natsUrl, {
    logger: createLogger('bench', 'silent'),
    // The runner's own credential: it may make a consumer of its own.
    credentials: { seed: readFileSync(seedFile, 'utf8').trim() },
  });
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
  // As tickets' reads (tickets/src/db/ticket-repository.ts) write them: every column but the
  // search document, the public list without withdrawn tickets and started events.
  const upcoming = 'not withdrawn and (event_at is null or event_at > $1::timestamptz)';
  const columns =
    'id, title, price_cents, user_id, version, created_at, order_id, sold, event_at, time_zone, venue, city, seat, ' +
    'withdrawn, search_text, city_key, event_day';
  const list = `select ${columns} from tickets where ${upcoming} order by created_at desc nulls last, id desc nulls last limit 51`;
  const search =
    `select ${columns} from tickets where ${upcoming} and search_vector @@ to_tsquery('simple', $2) ` +
    `and city_key = $3 order by event_at asc nulls last, id asc limit 51`;
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
    const now = () => new Date().toISOString();
    return {
      list: await measure(list, () => [now()]),
      show: await measure(show, () => [ids[i++ % ids.length]]),
      search: await measure(search, () => [now(), "'jazz':*", 'boston']),
    };
  } finally {
    await close();
  }
}

async function main() {
  ensureSystemPackages(['nats-server', 'nginx', ...(kinds.includes('postgres') ? ['postgresql'] : [])]);
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
    console.log(`  ${met ? 'met    ' : 'NOT met'}  ${kind.padEnd(8)} ${name.padEnd(62)} ${detail}`);
  }
}

main().catch(async (error) => {
  console.error(error);
  for (const child of started) child.kill('SIGKILL');
  process.exit(1);
});
