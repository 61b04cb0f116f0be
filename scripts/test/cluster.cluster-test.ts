// The cluster tier (`npm test` runs it last, with TEST_CLUSTER set): the production shape on
// one machine — three clustered nats-servers with the stream at 3 replicas, one PostgreSQL
// server with a database per service, two instances of every service behind the edge —
// and the faults it must survive while a bounded load sells, edits and reserves tickets.
// Each fault ends with an audit of every service's database and of the stream: what was
// acknowledged and is missing, or a change that did not reach a copy, is lost; an event
// stored twice, or a ticket held by two orders, is duplicated. Both must be 0.
import path from 'node:path';
import pg from 'pg';
import { storedEvents } from '@ticketing/common/testing';
import { startCluster } from '../lib/cluster.mjs';

const root = path.join(__dirname, '..', '..');
const STREAM = 'ticketing';
const WORKERS = 4;
// A request that takes longer than this has hung: the services answer 503 well before.
const REQUEST_TIMEOUT_MS = 15_000;

type Cluster = Awaited<ReturnType<typeof startCluster>>;
let cluster: Cluster;
let base: string;
let seller: string;
let buyer: string;
const logs: string[] = [];

async function signUp(email: string): Promise<string> {
  const response = await fetch(`${base}/api/users/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'correct horse battery' }),
  });
  expect(response.status).toBe(201);
  return response.headers.get('set-cookie')!.split(';')[0]!;
}

beforeAll(async () => {
  cluster = await startCluster({
    root,
    client: false,
    logLevel: 'warn',
    // One buyer reserves half of what the load lists: far more than a person may hold at once.
    env: { MAX_OPEN_ORDERS_PER_BUYER: '100000' },
    print: (line: string) => {
      logs.push(line);
      if (logs.length > 2_000) logs.shift();
    },
  });
  base = cluster.stack.url;
  seller = await signUp('seller@cluster.test');
  buyer = await signUp('buyer@cluster.test');
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
});

type Answer = { status: number | 'hung' | 'no answer'; body: unknown; startedAt: number; endedAt: number };

async function call(method: string, url: string, cookie: string, body?: object): Promise<Answer> {
  const startedAt = Date.now();
  try {
    const response = await fetch(`${base}${url}`, {
      method,
      headers: { 'content-type': 'application/json', cookie },
      body: body && JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, startedAt, endedAt: Date.now() };
  } catch (error) {
    const hung = (error as Error).name === 'TimeoutError';
    return { status: hung ? 'hung' : 'no answer', body: String(error), startedAt, endedAt: Date.now() };
  }
}

/** What the load was told: acknowledged versions of tickets, orders, and every answer. */
const loads = new Set<Load>();

// A test that fails mid-way leaves no load running into the next one or past the cluster.
afterEach(async () => {
  await Promise.all([...loads].map((load) => load.stop()));
});

class Load {
  readonly tickets = new Map<string, number>();
  readonly orders = new Map<string, string>();
  readonly answers: (Answer & { what: string })[] = [];
  private running = true;
  private workers: Promise<void>[] = [];

  constructor(private readonly tag: string) {}

  start(): this {
    loads.add(this);
    this.workers = Array.from({ length: WORKERS }, (_, worker) => this.work(worker));
    return this;
  }

  async stop(): Promise<this> {
    this.running = false;
    await Promise.all(this.workers);
    loads.delete(this);
    return this;
  }

  private async record(what: string, answer: Promise<Answer>): Promise<Answer> {
    const settled = await answer;
    this.answers.push({ ...settled, what });
    // The edge itself not answering is a failure of its own (counted as unexpected); do not spin on it.
    if (settled.status === 'no answer') await new Promise((resolve) => setTimeout(resolve, 200));
    return settled;
  }

  private async work(worker: number) {
    for (let n = 0; this.running; n++) {
      const title = `${this.tag} w${worker} #${n}`;
      const created = await this.record('create', call('POST', '/api/tickets', seller, { title, price: 10 }));
      if (created.status !== 201) continue;
      const { id } = created.body as { id: string };
      this.tickets.set(id, 0);
      const edited = await this.record('edit', call('PUT', `/api/tickets/${id}`, seller, { title, price: 12.5 }));
      if (edited.status === 200) this.tickets.set(id, (edited.body as { version: number }).version);
      if (n % 2 === 1) continue;
      // Orders hears of the ticket through the bus: a 404 means not yet.
      for (let attempt = 0; attempt < 50 && this.running; attempt++) {
        const ordered = await this.record('order', call('POST', '/api/orders', buyer, { ticketId: id }));
        if (ordered.status === 201) this.orders.set((ordered.body as { id: string }).id, id);
        if (ordered.status !== 404) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** Answers other than the expected ones, by kind: any 5xx but 503, a hang, or an unknown status. */
  unexpected(): string[] {
    const expected: Record<string, (number | string)[]> = {
      create: [201, 503],
      edit: [200, 503],
      order: [201, 404, 503],
    };
    return this.answers
      .filter((a) => !expected[a.what]!.includes(a.status))
      .map((a) => `${a.what}: ${a.status} ${JSON.stringify(a.body)}`);
  }

  /** 503s must be in the contract's error format. */
  badlyFormed(): unknown[] {
    return this.answers
      .filter((a) => a.status === 503)
      .map((a) => a.body)
      .filter((body) => {
        const errors = (body as { errors?: { message?: unknown }[] })?.errors;
        return !(Array.isArray(errors) && errors.length > 0 && errors.every((e) => typeof e.message === 'string'));
      });
  }

  count(status: number | string, from = 0, to = Infinity): number {
    return this.answers.filter((a) => a.status === status && a.startedAt >= from && a.startedAt <= to).length;
  }

  /** Waits until `n` tickets or orders were sold (answered 201) in requests started at `since` or later. */
  async sold(n: number, since = 0, timeoutMs = 60_000): Promise<void> {
    await waitUntil(async () => (this.count(201, since) >= n ? true : undefined), timeoutMs);
  }
}

async function query<T>(service: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: cluster.databaseUrls[service] });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

type Audit = { lost: string[]; duplicated: string[] };

/** Compares what was acknowledged, every service's database and the stream. */
async function audit(load: Load, { stream }: { stream: boolean }): Promise<Audit> {
  const lost: string[] = [];
  const duplicated: string[] = [];
  const ticketRows = await query<{ id: string; version: number; order_id: string | null; title: string }>(
    'tickets',
    'select id, version, order_id, title from tickets',
  );
  const tickets = new Map(ticketRows.map((row) => [row.id, row]));
  // Every sale of the load has a title of its own: two rows with one title are one request carried out twice.
  const titles = new Map<string, number>();
  for (const row of ticketRows) titles.set(row.title, (titles.get(row.title) ?? 0) + 1);
  for (const [title, count] of titles) if (count > 1) duplicated.push(`ticket "${title}": stored ${count} times`);
  const copies = new Map(
    (await query<{ id: string; version: number }>('orders', 'select id, version from tickets')).map((r) => [r.id, r]),
  );
  const orders = await query<{ id: string; ticket_id: string; status: string }>(
    'orders',
    'select id, ticket_id, status from orders',
  );
  const scheduled = new Set(
    (await query<{ order_id: string }>('expiration', 'select order_id from expirations')).map((r) => r.order_id),
  );
  const paymentsCopy = new Set((await query<{ id: string }>('payments', 'select id from orders')).map((r) => r.id));

  for (const [id, version] of load.tickets) {
    const row = tickets.get(id);
    if (!row) lost.push(`ticket ${id}: acknowledged, not stored`);
    else if (row.version < version) lost.push(`ticket ${id}: version ${version} acknowledged, ${row.version} stored`);
  }
  for (const row of tickets.values()) {
    const copy = copies.get(row.id);
    if (copy?.version !== row.version) {
      lost.push(`ticket ${row.id}: version ${row.version}, orders' copy at ${copy?.version ?? 'none'}`);
    }
  }
  const byId = new Map(orders.map((o) => [o.id, o]));
  for (const [orderId, ticketId] of load.orders) {
    if (!byId.has(orderId)) lost.push(`order ${orderId}: acknowledged, not stored`);
    if (tickets.get(ticketId)?.order_id !== orderId) lost.push(`order ${orderId}: tickets does not hold it`);
  }
  for (const order of orders) {
    if (!scheduled.has(order.id)) lost.push(`order ${order.id}: expiration has no schedule for it`);
    if (!paymentsCopy.has(order.id)) lost.push(`order ${order.id}: payments has no copy of it`);
  }

  const holding = new Map<string, number>();
  for (const order of orders.filter((o) => o.status !== 'cancelled')) {
    holding.set(order.ticket_id, (holding.get(order.ticket_id) ?? 0) + 1);
  }
  for (const [ticketId, count] of holding)
    if (count > 1) duplicated.push(`ticket ${ticketId}: held by ${count} orders`);

  if (!stream) return { lost, duplicated };
  const nc = await cluster.nats.connect();
  try {
    const seen = new Map<string, number>();
    for (const event of await storedEvents(nc, { stream: STREAM })) {
      const key = `${event.subject} ${event.data.id} v${event.data.version}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    for (const [key, count] of seen) if (count > 1) duplicated.push(`${key}: stored ${count} times`);
  } finally {
    await nc.close();
  }
  return { lost, duplicated };
}

/**
 * Audits the databases until nothing is missing (copies catch up) or the time is up, then
 * the whole, the stream included (reading every stored message takes a while).
 */
async function settledAudit(load: Load, timeoutMs = 60_000): Promise<Audit> {
  const deadline = Date.now() + timeoutMs;
  const failed = (error: Error): Audit => ({ lost: [`audit failed: ${error.message}`], duplicated: [] });
  for (;;) {
    const result = await audit(load, { stream: false }).catch(failed);
    if ((result.lost.length === 0 && result.duplicated.length === 0) || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return audit(load, { stream: true }).catch(failed);
}

function report(fault: string, load: Load, result: Audit) {
  const creates = load.answers.filter((a) => a.what === 'create').length;
  console.info(
    `${fault}: ${creates} creates, ${load.tickets.size} tickets and ${load.orders.size} orders acknowledged, ` +
      `${load.count(503)} answered 503; lost ${result.lost.length}, duplicated ${result.duplicated.length}`,
  );
}

async function allReady() {
  for (const [host, ports] of Object.entries(cluster.stack.instancePorts as Record<string, number[]>)) {
    for (const port of ports) {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect({ host, port, status: response.status }).toEqual({ host, port, status: 200 });
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil<T>(check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(250);
  }
}

async function readyEverywhere(timeoutMs = 60_000) {
  await waitUntil(async () => {
    for (const ports of Object.values(cluster.stack.instancePorts as Record<string, number[]>)) {
      for (const port of ports) if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status !== 200) return undefined;
    }
    return true;
  }, timeoutMs);
}

describe('the production shape on one machine', () => {
  it('runs two instances of every service on one PostgreSQL server and a 3-node cluster, the stream at 3 replicas', async () => {
    const nc = await cluster.nats.connect();
    try {
      const { jetstreamManager } = await import('@nats-io/jetstream');
      const jsm = await jetstreamManager(nc);
      // A leader and two replicas that are current: the stream is whole on every node.
      const info = await waitUntil(async () => {
        const current = await jsm.streams.info(STREAM);
        const replicas = current.cluster?.replicas ?? [];
        return current.cluster?.leader && replicas.length === 2 && replicas.every((r) => r.current)
          ? current
          : undefined;
      });
      expect(info.config.num_replicas).toBe(3);
    } finally {
      await nc.close();
    }
    for (const service of Object.keys(cluster.databaseUrls)) expect(cluster.instancesOf(service)).toHaveLength(2);
    await allReady();
  });

  it('survives kill -9 of the JetStream meta leader and of the stream leader: new leaders, nothing lost or doubled', async () => {
    const load = new Load('leaders').start();
    await load.sold(5);
    const meta = await cluster.nats.leader();
    await cluster.nats.kill(meta);
    const newMeta = await waitUntil(async () => {
      const leader = await cluster.nats.leader();
      return leader !== meta ? leader : undefined;
    });
    await cluster.nats.start(meta);
    const metaBack = Date.now();
    await load.sold(5, metaBack);
    const streamLeader = await cluster.nats.leader(STREAM);
    await cluster.nats.kill(streamLeader);
    const newStreamLeader = await waitUntil(async () => {
      const leader = await cluster.nats.leader(STREAM);
      return leader !== streamLeader ? leader : undefined;
    });
    await cluster.nats.start(streamLeader);
    const afterFaults = Date.now();
    // Publishes resume: sales go on after both faults (and, the audit says, reach every copy).
    const soldAfter = await waitUntil(async () => (load.count(201, afterFaults) >= 10 ? true : undefined), 60_000)
      .then(() => true)
      .catch(() => false);
    await load.stop();

    const result = await settledAudit(load);
    report('kill -9 of the meta and stream leaders', load, result);
    expect(newMeta).not.toBe(meta);
    expect(newStreamLeader).not.toBe(streamLeader);
    expect(load.unexpected()).toEqual([]);
    expect(soldAfter).toBe(true);
    expect(result).toEqual({ lost: [], duplicated: [] });
    await readyEverywhere();
  }, 240_000);

  it('routes around one instance of each service killed with -9 mid-request; its messages go to the other', async () => {
    const load = new Load('replicas').start();
    await load.sold(5);
    const victims = Object.keys(cluster.databaseUrls).map((service) => cluster.instancesOf(service)[0]!);
    const pids = victims.map((victim) => victim.child!.pid!);
    const killedAt = Date.now();
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    // Sales go on through the other instances while the runner restarts the dead ones.
    await load.sold(10, killedAt + 100);
    await load.stop();

    const result = await settledAudit(load);
    report('kill -9 of one instance of each service', load, result);
    expect(load.unexpected()).toEqual([]);
    expect(load.badlyFormed()).toEqual([]);
    // Only what the dead instances held can fail: one request per worker at most.
    expect(load.count(503, killedAt)).toBeLessThanOrEqual(WORKERS);
    expect(load.count(201, killedAt + 100, killedAt + 3_000)).toBeGreaterThan(0);
    expect(result).toEqual({ lost: [], duplicated: [] });
    // The runner restarted each.
    await readyEverywhere();
    for (const [i, victim] of victims.entries()) expect(victim.child?.pid).not.toBe(pids[i]);
  }, 240_000);

  it('answers 503 in the error format while PostgreSQL restarts, hangs on nothing, and recovers without a restart', async () => {
    const pids = cluster.stack.processes.map((child: { child?: { pid?: number } }) => child.child?.pid);
    const load = new Load('postgres').start();
    await load.sold(5);
    const downAt = Date.now();
    await cluster.postgres.restart(3_000);
    const upAt = Date.now();
    await load.sold(5, upAt + 1_000);
    await load.stop();

    const result = await settledAudit(load);
    report('PostgreSQL restarted (3 s down)', load, result);
    expect(load.unexpected()).toEqual([]);
    expect(load.badlyFormed()).toEqual([]);
    expect(load.count(503, downAt, upAt)).toBeGreaterThan(0);
    // Recovered: sales succeed again once it is back.
    expect(load.count(201, upAt + 1_000)).toBeGreaterThan(0);
    expect(result).toEqual({ lost: [], duplicated: [] });
    await readyEverywhere();
    expect(cluster.stack.processes.map((child: { child?: { pid?: number } }) => child.child?.pid)).toEqual(pids);
  }, 240_000);

  it('keeps selling while a nats-server is stopped (SIGSTOP) for 10 s, and delivers everything after', async () => {
    const load = new Load('paused').start();
    await load.sold(5);
    const paused = await cluster.nats.leader(STREAM);
    const pausedAt = Date.now();
    cluster.nats.pause(paused);
    await sleep(10_000);
    cluster.nats.resume(paused);
    const resumedAt = Date.now();
    await load.sold(5, resumedAt);
    await load.stop();

    const result = await settledAudit(load);
    report('a nats-server paused for 10 s', load, result);
    expect(load.unexpected()).toEqual([]);
    // Selling does not wait on the bus: the outbox holds the events.
    expect(load.count(201, pausedAt, resumedAt)).toBeGreaterThan(0);
    expect(load.count(503, pausedAt, resumedAt)).toBe(0);
    expect(result).toEqual({ lost: [], duplicated: [] });
    await readyEverywhere();
  }, 240_000);
});
