import http from 'node:http';
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
    expect(seen.headers['x-forwarded-for']).toMatch(/127\.0\.0\.1/);
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-forwarded-host']).toBe('ticketing.dev');
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
