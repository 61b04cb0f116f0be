import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect, nkeyAuthenticator } from '@nats-io/transport-node';
import { waitFor } from '@ticketing/common/testing';
import { processesWorkingIn } from '../lib/postgres.mjs';
import { startStack } from '../lib/stack.mjs';

const root = path.join(__dirname, '..', '..');

/** Sends bytes as they are to 127.0.0.1:port and resolves with the whole answer. */
function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the local stack (what npm start runs)', () => {
  let dataDir: string;
  let stack: Awaited<ReturnType<typeof startStack>>;
  const lines: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'ticketing-stack-'));
    stack = await startStack({
      // A throwaway DATA_DIR: its PostgreSQL server need not sync to survive a power cut.
      durable: false,
      root,
      port: 0,
      dataDir,
      natsPort: 0,
      natsMonitorPort: null,
      logLevel: 'warn',
      print: (line: string) => lines.push(line),
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves the API through the edge at the URL it reports', async () => {
    const response = await fetch(`${stack.url}/api/users/currentuser`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ currentUser: null });
  });

  it("gives each service a database and a role of its own on one PostgreSQL server, the role reaching no other service's database", async () => {
    const { default: pg } = await import('pg');
    const urls = stack.databaseUrls as Record<string, string>;
    expect(Object.keys(urls).sort()).toEqual(['auth', 'expiration', 'orders', 'payments', 'tickets']);
    const ordersUrl = new URL(urls.orders!);
    expect([ordersUrl.username, ordersUrl.pathname]).toEqual(['orders', '/orders']);
    expect(new Set(Object.values(urls).map((url) => new URL(url).port)).size).toBe(1);

    const own = new pg.Client({ connectionString: urls.orders });
    await own.connect();
    const { rows } = await own.query('select count(*)::int as n from tickets');
    await own.end();
    expect(rows[0].n).toBeGreaterThanOrEqual(0);

    const intoTickets = new URL(urls.orders!);
    intoTickets.pathname = '/tickets';
    const other = new pg.Client({ connectionString: intoTickets.toString() });
    await expect(other.connect()).rejects.toThrow(/permission denied for database "tickets"/);
    await other.end().catch(() => undefined);
  });

  it('lets a person trying the app by hand sign up far more often than production allows one address', async () => {
    // Production answers the 21st sign-up from one address in an hour with a 429; every local visitor is 127.0.0.1.
    const stamp = Date.now();
    for (let i = 0; i < 25; i++) {
      const response = await fetch(`${stack.url}/api/users/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `by-hand-${stamp}-${i}@example.com`, password: 'password123' }),
      });
      expect(response.status).toBe(201);
    }
  });

  it('lets no one publish what is not theirs: a forged payment:created is refused with every other service’s credential, and the order stays unpaid', async () => {
    const signUp = async (email: string) => {
      const response = await fetch(`${stack.url}/api/users/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: 'password123' }),
      });
      return response.headers.get('set-cookie')!.split(';')[0]!;
    };
    const call = (method: string, url: string, cookie: string, body?: object) =>
      fetch(`${stack.url}${url}`, {
        method,
        headers: { 'content-type': 'application/json', cookie },
        body: body && JSON.stringify(body),
      });
    const stamp = Date.now();
    const seller = await signUp(`forge-seller-${stamp}@example.com`);
    const buyer = await signUp(`forge-buyer-${stamp}@example.com`);
    const ticket = (await (await call('POST', '/api/tickets', seller, { title: 'Forged', price: 250 })).json()) as {
      id: string;
    };
    const order = await waitFor(async () => {
      const response = await call('POST', '/api/orders', buyer, { ticketId: ticket.id });
      // Read whole either way: an answer left unread holds its connection open.
      const body = (await response.json()) as { id: string };
      return response.status === 201 ? body : undefined;
    });
    const forged = JSON.stringify({ id: randomUUID(), orderId: order.id, chargeId: 'ch_forged' });

    for (const name of ['tickets', 'orders', 'expiration']) {
      const seed = readFileSync(path.join(dataDir, 'credentials', `${name}.nk`), 'utf8').trim();
      const nc = await connect({
        servers: stack.natsUrl,
        authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)),
        inboxPrefix: `_INBOX_${name}`,
      });
      try {
        await expect(jetstream(nc).publish('payment:created', forged)).rejects.toThrow(/Permissions Violation/);
      } finally {
        await nc.close();
      }
    }
    await expect(connect({ servers: stack.natsUrl })).rejects.toThrow(/Authorization Violation/);

    const shown = (await (await call('GET', `/api/orders/${order.id}`, buyer)).json()) as { status: string };
    expect(shown.status).toBe('created');
  });

  it('answers unknown API routes with 404 in the contract format', async () => {
    const response = await fetch(`${stack.url}/api/users/nope`);

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ errors: [{ message: 'Not Found' }] });
  });

  it('answers an /api/ path nobody serves with the JSON 404, not a web page', async () => {
    for (const method of ['GET', 'POST', 'DELETE']) {
      const response = await fetch(`${stack.url}/api/nothing`, { method });

      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ errors: [{ message: 'Not Found' }] });
    }
  });

  it('answers GET * with 400 in the error format, and an absolute-form request without sending the client elsewhere', async () => {
    const star = await rawRequest(stack.port, 'GET * HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(star).toMatch(/^HTTP\/1\.1 400/);
    expect(star).toContain('{"errors":[{"message":"Malformed HTTP request"}]}');

    for (const target of [
      'http://evil.example/api/users/currentuser',
      'http://evil.example/',
      'http://evil.example//evil.example',
    ]) {
      const answer = await rawRequest(
        stack.port,
        `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 [2-4]\d\d/);
      // Never to another host: no absolute or protocol-relative Location.
      expect(answer).not.toMatch(/^location:\s*(https?:)?\/\//im);
    }
  });

  it('names every method of /api/tickets in OPTIONS through the edge', async () => {
    const response = await fetch(`${stack.url}/api/tickets`, { method: 'OPTIONS' });

    expect(response.status).toBe(204);
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
  });

  it('answers the home page with 503 while tickets is down, and 200 once it is back', async () => {
    const tickets = stack.processes.find((p: { name: string }) => p.name === 'tickets')!;
    await tickets.stop();
    try {
      const response = await fetch(`${stack.url}/`);

      expect(response.status).toBe(503);
      expect(await response.text()).toContain('Tickets are unavailable right now');
    } finally {
      tickets.stopping = false;
      tickets.start();
      await waitFor(async () => (await fetch(`${stack.url}/api/tickets`)).status === 200, {
        timeoutMs: 60_000,
        message: 'tickets back',
      });
    }
    expect((await fetch(`${stack.url}/`)).status).toBe(200);
  }, 90_000);

  it('restarts a component that crashes', async () => {
    const auth = stack.processes.find((p: { name: string }) => p.name === 'auth')!;
    const firstPid = auth.child!.pid!;

    process.kill(firstPid, 'SIGKILL');

    await waitFor(() => lines.some((line) => /auth .*exited \(SIGKILL\); restarting/.test(line)), {
      message: 'the restart notice',
    });
    await waitFor(async () => (await fetch(`${stack.url}/api/users/currentuser`)).status === 200, {
      timeoutMs: 20_000,
      message: 'auth back',
    });
    expect(auth.child!.pid).not.toBe(firstPid);
  });

  it('stops every process it started and leaves none behind', async () => {
    const pids = stack.processes.map((p: { child?: { pid?: number } }) => p.child?.pid);
    expect(pids.every(alive)).toBe(true);

    await stack.stop();

    expect(pids.filter(alive)).toEqual([]);
    await expect(fetch(`${stack.url}/api/users/currentuser`)).rejects.toThrow();
  });
});

describe('signals', () => {
  it('stops every child when the runner gets SIGINT while still starting up', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ticketing-signal-'));
    const script = `
      import { startStack } from ${JSON.stringify(path.join(root, 'scripts', 'lib', 'stack.mjs'))};
      await startStack({ root: ${JSON.stringify(root)}, port: 0, dataDir: ${JSON.stringify(dataDir)}, natsPort: 0,
        natsMonitorPort: null, logLevel: 'warn', handleSignals: true, print: (line) => console.log(line) });
      console.log('UP');`;
    const runner = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    runner.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => runner.once('exit', (code) => resolve(code)));
    // nats-server prints as soon as it runs: the services are starting, nothing is ready yet.
    await waitFor(() => output.includes('Server is ready'), { timeoutMs: 30_000, message: 'nats-server running' });
    const started = children(dataDir);
    expect(started.length).toBeGreaterThan(0);

    runner.kill('SIGINT');

    expect(await exited).toBe(0);
    await waitFor(() => children(dataDir).length === 0, { timeoutMs: 15_000, message: 'no child left' });
    await rm(dataDir, { recursive: true, force: true });
  });
});

/** Processes whose command line or environment points at the data folder (the stack's children). */
function children(dataDir: string): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if ((cmdline.includes(dataDir) || environ.includes(`DATA_DIR=${dataDir}`)) && Number(pid) !== process.pid) {
        pids.push(Number(pid));
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

describe('start-up errors', () => {
  it('names NATS_URL when the NATS port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ticketing-stack-'));

    await expect(startStack({ root, port: 0, dataDir, natsPort: port, print: () => {} })).rejects.toThrow(/NATS_URL/);

    blocker.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('names PORT when the edge port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ticketing-stack-'));

    await expect(startStack({ root, port, dataDir, print: () => {} })).rejects.toThrow(/PORT=/);

    blocker.close();
    await rm(dataDir, { recursive: true, force: true });
  });
});

describe('a PostgreSQL server that does not stop in time', () => {
  it('is killed, and the stop ends only once none of its processes works in DATA_DIR', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ticketing-stack-'));
    const said: string[] = [];
    const stack = await startStack({
      durable: false,
      root,
      port: 0,
      dataDir,
      natsPort: 0,
      natsMonitorPort: null,
      logLevel: 'warn',
      client: false,
      print: (line: string) => said.push(line),
    });
    const home = path.join(dataDir, 'postgres');
    const server = processesWorkingIn(home);
    expect(server.length).toBeGreaterThan(1);
    // Frozen, the server cannot shut down, nor its children notice that it is gone: the stop
    // kills the postmaster's process group, which the children, each leading a group of their
    // own, are not in; they stay at work in DATA_DIR until they are killed too.
    for (const pid of server) {
      try {
        process.kill(pid, 'SIGSTOP');
      } catch {
        // A connection that ended meanwhile.
      }
    }

    await stack.stop();

    expect(said.some((line) => /killed postgres: did not stop in time/.test(line))).toBe(true);
    expect(said.some((line) => /killed \d+ PostgreSQL processes left after the server was stopped/.test(line))).toBe(
      true,
    );
    // Read from /proc, not by the pids seen at start: those of connections that ended since
    // may already belong to other processes.
    expect(processesWorkingIn(home)).toEqual([]);
    await rm(dataDir, { recursive: true });
  });
});
