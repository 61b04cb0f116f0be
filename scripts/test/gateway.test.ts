import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createGateway, loadIngressRoutes, matchRoute } from '../lib/gateway.mjs';

const INGRESS = path.join(__dirname, '..', '..', 'infra', 'k8s', 'ingress-srv.yaml');
const routes = loadIngressRoutes(INGRESS);

describe('the gateway reads the Ingress', () => {
  it('takes every path of infra/k8s/ingress-srv.yaml with its service and port, longest first', () => {
    expect(routes.map(({ path, service, port }) => ({ path, service, port }))).toEqual([
      { path: '/api/payments/?(.*)', service: 'payments-srv', port: 3000 },
      { path: '/api/tickets/?(.*)', service: 'tickets-srv', port: 3000 },
      { path: '/api/orders/?(.*)', service: 'orders-srv', port: 3000 },
      { path: '/api/users/?(.*)', service: 'auth-srv', port: 3000 },
      { path: '/?(.*)', service: 'client-srv', port: 3000 },
    ]);
  });

  it.each([
    ['/api/users/signup', 'auth-srv'],
    ['/api/users/currentuser?x=1', 'auth-srv'],
    ['/api/users', 'auth-srv'],
    ['/API/Users/signin', 'auth-srv'],
    ['/api/usersX', 'auth-srv'],
    ['/api/tickets', 'tickets-srv'],
    ['/api/tickets/0b6f7c8e-1234', 'tickets-srv'],
    ['/api/tickets?limit=5&cursor=abc', 'tickets-srv'],
    ['/api/payments', 'payments-srv'],
    ['/api/payments?orderId=0b6f7c8e-1234', 'payments-srv'],
    ['/Api/TICKETS/x', 'tickets-srv'],
    ['/', 'client-srv'],
    ['/tickets/new', 'client-srv'],
    ['/auth/signup', 'client-srv'],
    ['/api/other', 'client-srv'],
    ['/x/api/users', 'client-srv'],
  ])('routes %s to %s as ingress-nginx with use-regex would', (url, service) => {
    expect(matchRoute(routes, url)?.service).toBe(service);
  });
});

/** Sends bytes as they are and resolves with the whole answer. */
function raw(base: string, request: string): Promise<string> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(request));
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

type Seen = { name: string; method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string };

function backend(name: string) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen.push({ name, method: req.method, url: req.url, headers: req.headers, body });
      res.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2; Path=/']);
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ from: name }));
    });
  });
  return { seen, server };
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('the gateway forwards requests', () => {
  const auth = backend('auth');
  const client = backend('client');
  let gateway: http.Server;
  let base: string;

  beforeAll(async () => {
    const ports = {
      'auth-srv': await listen(auth.server),
      'client-srv': await listen(client.server),
      'tickets-srv': 1,
    };
    gateway = createGateway({ routes, ports });
    base = `http://127.0.0.1:${await listen(gateway)}`;
  });

  afterAll(async () => {
    await Promise.all([auth.server, client.server, gateway].map((s) => new Promise((r) => s.close(r))));
  });

  it('passes method, path, query, body, Host and cookies through and adds X-Forwarded-*', async () => {
    // fetch() may not set Host; a browser behind ticketing.dev does.
    const response = await new Promise<{ status?: number; body: string; setCookie?: string[] }>((resolve, reject) => {
      const req = http.request(
        `${base}/api/users/signin?next=%2F`,
        {
          method: 'POST',
          headers: { host: 'ticketing.dev', cookie: 'session=abc', 'content-type': 'application/json' },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode, body, setCookie: res.headers['set-cookie'] }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ email: 'a@b.co' }));
    });

    expect(response.status).toBe(201);
    expect(JSON.parse(response.body)).toEqual({ from: 'auth' });
    expect(response.setCookie).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    const seen = auth.seen.at(-1)!;
    expect(seen).toMatchObject({ method: 'POST', url: '/api/users/signin?next=%2F', body: '{"email":"a@b.co"}' });
    expect(seen.headers.host).toBe('ticketing.dev');
    expect(seen.headers.cookie).toBe('session=abc');
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-forwarded-host']).toBe('ticketing.dev');
  });

  it("replaces the client's own forwarding headers instead of passing them on", async () => {
    await fetch(`${base}/api/users/currentuser`, {
      headers: {
        'x-forwarded-for': '6.6.6.6',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-port': '443',
        forwarded: 'for=6.6.6.6',
        'x-real-ip': '6.6.6.6',
      },
    });

    const { headers } = auth.seen.at(-1)!;
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-host']).not.toBe('evil.example');
    expect(headers['x-forwarded-port']).not.toBe('443');
    expect(headers.forwarded).toBeUndefined();
    expect(headers['x-real-ip']).toBeUndefined();
  });

  it('turns an absolute-form request line into a path, with its host as the Host', async () => {
    const answer = await raw(
      base,
      'GET http://evil.example/auth/signin?x=1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );

    expect(answer).toMatch(/^HTTP\/1\.1 201/);
    expect(client.seen.at(-1)).toMatchObject({ url: '/auth/signin?x=1', headers: { host: 'evil.example' } });
  });

  it.each([
    ['GET * HTTP/1.1', 400],
    ['GET ftp://example.com/x HTTP/1.1', 400],
  ])('answers the request line %s with %s in the error format', async (line, status) => {
    const answer = await raw(base, `${line}\r\nHost: localhost\r\nConnection: close\r\n\r\n`);

    expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status}`));
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
      errors: [{ message: 'Bad request target' }],
    });
  });

  it('answers a request the HTTP parser refuses in the error format, not with an empty 400', async () => {
    const answer = await raw(base, 'GET /api/users/currentuser HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n');

    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
      errors: [{ message: 'Malformed HTTP request' }],
    });
  });

  it('answers a body over 1 MB with 413 in the error format, without bothering the service', async () => {
    const before = auth.seen.length;
    const response = await fetch(`${base}/api/users/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(1024 * 1024 + 1),
    });

    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ errors: [{ message: 'Request body must not exceed 1 MB' }] });
    expect(auth.seen.length).toBe(before);
  });

  it('sends pages to the client', async () => {
    await fetch(`${base}/tickets/new`);
    expect(client.seen.at(-1)?.url).toBe('/tickets/new');
  });

  it('answers 503 in the contract format when the service is down', async () => {
    const response = await fetch(`${base}/api/tickets`);

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      errors: [{ message: 'tickets-srv is unavailable, please try again shortly' }],
    });
  });
});

describe('the gateway under a slow-upload attack', () => {
  const seen: string[] = [];
  const backendServer = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    req.resume();
    req.on('end', () => res.end('{"ok":true}'));
  });
  let gateway: http.Server;
  let port: number;
  const slow: net.Socket[] = [];

  beforeAll(async () => {
    const ports = { 'auth-srv': await listen(backendServer), 'client-srv': 1, 'tickets-srv': 1 };
    gateway = createGateway({
      routes,
      ports,
      limits: { headersTimeoutMs: 1_000, requestTimeoutMs: 2_000, maxConnectionsPerClient: 100 },
    });
    port = Number(new URL(`http://127.0.0.1:${await listen(gateway)}`).port);
  });

  afterAll(async () => {
    for (const socket of slow) socket.destroy();
    gateway.closeAllConnections();
    await Promise.all([gateway, backendServer].map((s) => new Promise((r) => s.close(r))));
  });

  /** A request from `localAddress` through the gateway: its status and how long it took. */
  function timedRequest(localAddress: string): Promise<{ status?: number; ms: number }> {
    const started = Date.now();
    return new Promise((resolve) => {
      const request = http.get(
        { host: '127.0.0.1', port, path: '/api/users/currentuser', localAddress, agent: false },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode, ms: Date.now() - started }));
        },
      );
      request.on('error', () => resolve({ ms: Date.now() - started }));
    });
  }

  it('keeps serving everyone else while 300 connections trickle bodies in, caps them and cuts them off', async () => {
    // Each promises 1000 bytes and sends one; all from one address (any 127.x is loopback).
    const closed: Promise<string>[] = [];
    for (let i = 0; i < 300; i++) {
      const socket = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.3' });
      slow.push(socket);
      let answer = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk) => (answer += chunk));
      socket.on('error', () => {});
      closed.push(new Promise((resolve) => socket.on('close', () => resolve(answer))));
      socket.write(
        'POST /api/users/signup HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
      );
    }
    // Setup: let the gateway take the 300 in before everyone else arrives.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const normal = await Promise.all(Array.from({ length: 20 }, () => timedRequest('127.0.0.2')));

    expect(normal.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(Math.max(...normal.map((r) => r.ms))).toBeLessThan(1_000);
    // The backend never saw a half-sent body: the gateway holds them until they are whole.
    expect(seen.filter((url) => url === '/api/users/signup')).toEqual([]);

    const answers = await Promise.all(closed);
    const timedOut = answers.filter((a) => a.startsWith('HTTP/1.1 408'));
    const refused = answers.filter((a) => a === '');
    expect(timedOut.length).toBeLessThanOrEqual(100);
    expect(timedOut.length + refused.length).toBe(300);
    expect(refused.length).toBeGreaterThanOrEqual(200);
  }, 30_000);

  it('cuts off a connection that never finishes its headers', async () => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.4' });
    slow.push(socket);
    socket.on('error', () => {});
    socket.resume();
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('GET /api/users/currentuser HTTP/1.1\r\nHost: local');
    const started = Date.now();

    await closed;

    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('the gateway logs an outage once, not per request', () => {
  it('says a backend went down and came back, once each, with the count of failed requests', async () => {
    const lines: string[] = [];
    const ticketsBackend = http.createServer((_req, res) => res.end('[]'));
    await new Promise<void>((resolve) => ticketsBackend.listen(0, '127.0.0.1', resolve));
    const backendPort = (ticketsBackend.address() as AddressInfo).port;
    ticketsBackend.close();
    const gateway = createGateway({
      routes,
      ports: { 'tickets-srv': backendPort, 'auth-srv': 1, 'client-srv': 1 },
      log: (line: string) => lines.push(line),
    });
    const base = `http://127.0.0.1:${await listen(gateway)}`;

    const during = await Promise.all(Array.from({ length: 25 }, () => fetch(`${base}/api/tickets`)));
    expect(during.map((r) => r.status)).toEqual(Array(25).fill(503));
    await new Promise<void>((resolve) => ticketsBackend.listen(backendPort, '127.0.0.1', resolve));
    for (let i = 0; i < 5; i++) expect((await fetch(`${base}/api/tickets`)).status).toBe(200);

    expect(lines).toEqual([
      expect.stringMatching(/^tickets-srv is down \(ECONNREFUSED\); answering 503 until it is back$/),
      expect.stringMatching(/^tickets-srv is back after \d+\.\d s; 25 request\(s\) failed meanwhile$/),
    ]);
    gateway.closeAllConnections();
    await Promise.all([gateway, ticketsBackend].map((s) => new Promise((r) => s.close(r))));
  });
});

describe('the gateway in front of two instances of a service', () => {
  /** A backend that answers with its name, or dies holding the request when `dieOn` matches. */
  function instance(name: string, dieOn?: (req: http.IncomingMessage) => boolean) {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        seen.push(`${req.method} ${req.url}`);
        if (dieOn?.(req)) return req.socket.destroy();
        res.end(JSON.stringify({ from: name }));
      });
    });
    return { seen, server };
  }
  const closeAll = (...servers: http.Server[]) =>
    Promise.all(
      servers.map((s) => {
        s.closeAllConnections();
        return new Promise((r) => s.close(r));
      }),
    );

  it('sends requests to each in turn', async () => {
    const [a, b] = [instance('a'), instance('b')];
    const ports = { 'tickets-srv': [await listen(a.server), await listen(b.server)], 'auth-srv': 1, 'client-srv': 1 };
    const gateway = createGateway({ routes, ports });
    const base = `http://127.0.0.1:${await listen(gateway)}`;

    for (let i = 0; i < 10; i++) expect((await fetch(`${base}/api/tickets`)).status).toBe(200);

    expect([a.seen.length, b.seen.length]).toEqual([5, 5]);
    await closeAll(gateway, a.server, b.server);
  });

  it('skips an instance that is down: every request, a POST too, is answered by the other', async () => {
    const [a, b] = [instance('a'), instance('b')];
    const deadPort = await listen(a.server);
    await closeAll(a.server);
    const ports = { 'tickets-srv': [deadPort, await listen(b.server)], 'auth-srv': 1, 'client-srv': 1 };
    const lines: string[] = [];
    const gateway = createGateway({ routes, ports, log: (line: string) => lines.push(line) });
    const base = `http://127.0.0.1:${await listen(gateway)}`;

    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fetch(`${base}/api/tickets`, i % 2 ? { method: 'POST', body: '{}' } : undefined).then((r) => r.json()),
      ),
    );

    expect(answers).toEqual(Array(20).fill({ from: 'b' }));
    expect(b.seen).toHaveLength(20);
    expect(lines).toEqual([]);
    await closeAll(gateway, b.server);
  });

  it('repeats a GET whose instance died holding it on the other; a POST it answers 503, never sending it twice', async () => {
    const dying = instance('a', () => true);
    const other = instance('b');
    const ports = {
      'tickets-srv': [await listen(dying.server), await listen(other.server)],
      'auth-srv': 1,
      'client-srv': 1,
    };
    const gateway = createGateway({ routes, ports });
    const base = `http://127.0.0.1:${await listen(gateway)}`;

    const gets = [await fetch(`${base}/api/tickets/1`), await fetch(`${base}/api/tickets/2`)];
    const posts = [
      await fetch(`${base}/api/tickets`, { method: 'POST', body: '{}' }),
      await fetch(`${base}/api/tickets`, { method: 'POST', body: '{}' }),
    ];

    expect(gets.map((r) => r.status)).toEqual([200, 200]);
    expect(posts.map((r) => r.status).sort()).toEqual([200, 503]);
    expect(await posts.find((r) => r.status === 503)!.json()).toEqual({
      errors: [{ message: 'tickets-srv is unavailable, please try again shortly' }],
    });
    // Each POST reached exactly one instance once.
    expect([...dying.seen, ...other.seen].filter((line) => line.startsWith('POST'))).toHaveLength(2);
    await closeAll(gateway, dying.server, other.server);
  });

  it('never sends a POST twice, even when the instance dies on a connection it kept alive before', async () => {
    let answered = 0;
    const flaky = instance('a', (req) => req.method === 'POST' && answered++ > 0);
    const other = instance('b');
    const ports = {
      'tickets-srv': [await listen(flaky.server), await listen(other.server)],
      'auth-srv': 1,
      'client-srv': 1,
    };
    const gateway = createGateway({ routes, ports });
    const base = `http://127.0.0.1:${await listen(gateway)}`;

    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await fetch(`${base}/api/tickets`, { method: 'POST', body: '{}' })).status);

    // a, b, then a again, which dies holding it: 503, and b never sees it.
    expect(statuses).toEqual([200, 200, 503]);
    expect([flaky.seen.length, other.seen.length]).toEqual([2, 1]);
    await closeAll(gateway, flaky.server, other.server);
  });
});
