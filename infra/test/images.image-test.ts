// The image tier (`npm run test:images`, which builds the images and starts the nats-server
// and PostgreSQL server this file finds in its environment): every image run as a cluster
// runs it, then the whole system from images behind the local edge (nginx).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { loadIngressRoutes, startEdge } from '../../scripts/lib/edge.mjs';
import { buildImage, buildMounts, deployables } from '../../scripts/lib/images.mjs';
import { freePort } from '@ticketing/common/system';
import { logsOf, nodeIn, podman, removeContainers, startContainer, stateOf, stopContainer } from './lib/containers';
import { ROOT } from './lib/manifests';
import { loadServices, SERVICE_DOCKERFILE } from './lib/services';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this tier with \`npm run test:images\``);
  return value;
}

/** Image ids by deployable name, as `npm run test:images` built them. */
const IMAGES = JSON.parse(required('TEST_IMAGES')) as Record<string, string>;
const LABEL = required('TEST_IMAGES_LABEL');
/** Each service's nkey seed on the test nats-server, by name (services not on the bus have none). */
const NATS_SEEDS = JSON.parse(required('TEST_NATS_SEEDS')) as Record<string, string>;
const SERVICES = loadServices();
const HAS_PAYMENTS = SERVICES.some((service) => service.name === 'payments');
const JWT_KEY = randomBytes(32).toString('hex');
/** `podman stop` must see PID 1 exit 0 within this. */
const STOP_LIMIT_SECONDS = 5;

interface Running {
  id: string;
  port: number;
}
const running = new Map<string, Running>();
let edge: Awaited<ReturnType<typeof startEdge>> | undefined;
let edgeDir: string | undefined;
let edgeUrl: string;

/** Thrown by a check that can tell waiting longer is of no use. */
class GiveUp extends Error {}

/**
 * Polls until `check` returns a truthy value, or throws the last failure after `timeoutMs`
 * (at once when the check throws GiveUp).
 */
async function poll<T>(check: () => Promise<T>, timeoutMs: number, what: string): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Fails with the container's last log lines beside the error. */
async function withLogs<T>(name: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    const container = running.get(name);
    const logs = container ? await logsOf(container.id) : '(not started)';
    throw new Error(`${error instanceof Error ? error.message : error}\n--- ${name}'s last log lines ---\n${logs}`, {
      cause: error,
    });
  }
}

function databaseUrl(server: string, database: string): string {
  const url = new URL(server);
  url.pathname = `/${database}`;
  return url.toString();
}

beforeAll(async () => {
  const serverUrl = required('TEST_DATABASE_URL');
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    // Each service its own database, as each has its own server in the cluster.
    for (const { name } of SERVICES) await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }

  const ports: Record<string, number> = {};
  for (const { name } of SERVICES) {
    const port = await freePort();
    running.set(name, {
      port,
      id: await startContainer({
        image: IMAGES[name]!,
        name: `${LABEL.split('=')[1]}-${name}`,
        label: LABEL,
        env: {
          PORT: String(port),
          HOST: '127.0.0.1',
          JWT_KEY,
          COOKIE_SECURE: 'false',
          DATABASE_URL: databaseUrl(serverUrl, name),
          NATS_URL: required('TEST_NATS_URL'),
          NATS_STREAM: 'ticketing',
          NATS_CLIENT_ID: `${name}-image`,
          // The test server has authorization on: each service connects as its own user.
          ...(NATS_SEEDS[name] ? { NATS_NKEY_SEED: NATS_SEEDS[name] } : {}),
        },
      }),
    });
    ports[`${name}-srv`] = port;
  }

  // The client's port is known first: the edge is configured once, with every upstream.
  const clientPort = await freePort();
  ports['client-srv'] = clientPort;
  edgeDir = await mkdtemp(path.join(tmpdir(), 'ticketing-edge-'));
  edge = await startEdge({
    routes: loadIngressRoutes(path.join(ROOT, 'infra/k8s/ingress-srv.yaml')),
    upstreams: ports,
    host: '127.0.0.1',
    dir: edgeDir,
  });
  edgeUrl = edge.url;

  running.set('client', {
    port: clientPort,
    id: await startContainer({
      image: IMAGES.client!,
      name: `${LABEL.split('=')[1]}-client`,
      label: LABEL,
      env: { PORT: String(clientPort), HOSTNAME: '127.0.0.1', API_URL: edgeUrl },
    }),
  });
}, 120_000);

afterAll(async () => {
  await removeContainers(LABEL);
  await edge?.stop();
  if (edgeDir) await rm(edgeDir, { recursive: true, force: true });
});

async function get(port: number, pathname: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}${pathname}`, { signal: AbortSignal.timeout(5_000) });
}

/** The names of the packages installed under /app, in every node_modules there. */
const LIST_PACKAGES = `
const fs = require('fs'), path = require('path');
const names = new Set();
const dirs = ['/app/node_modules', ...fs.readdirSync('/app').map((d) => path.join('/app', d, 'node_modules'))];
for (const dir of dirs.filter((d) => fs.existsSync(d))) {
  for (const entry of fs.readdirSync(dir)) {
    if (entry.startsWith('@')) for (const scoped of fs.readdirSync(path.join(dir, entry))) names.add(entry + '/' + scoped);
    else if (!entry.startsWith('.')) names.add(entry);
  }
}
process.stdout.write(JSON.stringify([...names]));
`;

/** PID 1's user, program and command line (which a process may rewrite: Next.js does). */
/** The files of the test harness and of the build's by-products a production image must not carry. */
const TEST_AND_BUILD_FILES = `
const fs = require('fs'), path = require('path');
const found = [];
const walk = (dir) => {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') walk(full);
    } else if (/\\.(map|d\\.c?ts|tsbuildinfo)$|\\.test\\.|(^|\\/)system\\.cjs$/.test(full) || full.includes('/testing/')) {
      found.push(full);
    }
  }
};
walk('/app');
process.stdout.write(JSON.stringify(found));
`;

const PID_1 = `
const fs = require('fs');
const uid = /^Uid:\\s+(\\d+)/m.exec(fs.readFileSync('/proc/1/status', 'utf8'))[1];
const command = fs.readFileSync('/proc/1/cmdline', 'utf8').split('\\0').filter(Boolean);
process.stdout.write(JSON.stringify({ uid: Number(uid), program: fs.readlinkSync('/proc/1/exe'), command }));
`;

interface Pid1 {
  uid: number;
  program: string;
  command: string[];
}

/** The packages only development installs: every dev dependency the lockfile marks as such. */
async function devOnlyPackages(workspace: string): Promise<string[]> {
  const lock = JSON.parse(await readFile(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; devDependencies?: Record<string, string> }>;
  };
  const declared = [
    ...Object.keys(lock.packages['']?.devDependencies ?? {}),
    ...Object.keys(lock.packages[workspace]?.devDependencies ?? {}),
  ];
  return declared.filter((name) => lock.packages[`node_modules/${name}`]?.dev === true);
}

describe.each(SERVICES.map((service) => service.name))('the %s image', (name) => {
  test('answers /healthz and /readyz against its own database and the bus', async () => {
    const { id, port } = running.get(name)!;
    // A container that has exited will never answer: fail at once rather than at the timeout.
    const answers = async (pathname: string) => {
      const state = await stateOf(id);
      if (state.status !== 'running') {
        throw new GiveUp(`${name} is ${state.status} (exit code ${state.exitCode}), it will not answer ${pathname}`);
      }
      return (await get(port, pathname)).status === 200;
    };
    await withLogs(name, async () => {
      await poll(() => answers('/healthz'), 60_000, `${name} /healthz`);
      await poll(() => answers('/readyz'), 30_000, `${name} /readyz`);
    });
  }, 100_000);

  test('runs node as PID 1 as a non-root user', async () => {
    const pid1 = await nodeIn<Pid1>(running.get(name)!.id, PID_1);

    expect(pid1.uid).not.toBe(0);
    expect(path.basename(pid1.program)).toBe('node');
    expect(pid1.command).toEqual(['node', 'dist/index.js']);
  });

  test('has no development dependencies installed', async () => {
    const devOnly = await devOnlyPackages(name);
    const installed = await nodeIn<string[]>(running.get(name)!.id, LIST_PACKAGES);

    expect(devOnly).toEqual(expect.arrayContaining(['jest', 'typescript', 'eslint']));
    expect(installed).toEqual(expect.arrayContaining(['@ticketing/common', 'express']));
    expect(installed.filter((pkg) => devOnly.includes(pkg))).toEqual([]);
  });

  test("carries no test code and no build by-products: common's test harness, declarations, source maps", async () => {
    const found = await nodeIn<string[]>(running.get(name)!.id, TEST_AND_BUILD_FILES);
    const common = await nodeIn<string[]>(
      running.get(name)!.id,
      `process.stdout.write(JSON.stringify(require('fs').readdirSync('/app/common/dist')))`,
    );

    expect(common).toEqual(expect.arrayContaining(['index.js', 'service', 'db']));
    expect(found).toEqual([]);
  });
});

describe('the client image', () => {
  test('serves the home page', async () => {
    const { port } = running.get('client')!;
    const page = await withLogs('client', () =>
      poll(
        async () => {
          const response = await get(port, '/');
          return response.status === 200 ? response.text() : undefined;
        },
        60_000,
        'the client to serve /',
      ),
    );

    expect(page).toMatch(/^<!DOCTYPE html>/i);
  }, 70_000);

  test('runs node as PID 1 as a non-root user', async () => {
    const pid1 = await nodeIn<Pid1>(running.get('client')!.id, PID_1);

    // Next.js names its process "next-server (v…)", so the program is what tells.
    expect(pid1.uid).not.toBe(0);
    expect(path.basename(pid1.program)).toBe('node');
  });
});

/** A visitor of the edge with a cookie jar of one: the session. */
function visitor() {
  let cookie = '';
  return async (method: string, pathname: string, body?: unknown) => {
    const response = await fetch(`${edgeUrl}${pathname}`, {
      method,
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const session = response.headers.getSetCookie().find((c) => c.startsWith('session='));
    if (session) cookie = session.split(';')[0]!;
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, text };
  };
}

describe('the system from images behind the local edge', () => {
  test(`signs up, sells, buys${HAS_PAYMENTS ? ' and pays' : ''}`, async () => {
    const stamp = Date.now();
    const seller = visitor();
    const buyer = visitor();

    const signedUp = await seller('POST', '/api/users/signup', {
      email: `seller-${stamp}@example.com`,
      password: 'correct horse battery',
    });
    expect(signedUp.status).toBe(201);
    expect((await seller('GET', '/api/users/currentuser')).body.currentUser.email).toBe(`seller-${stamp}@example.com`);

    const listed = await seller('POST', '/api/tickets', { title: 'Opera, stalls', price: 42 });
    expect(listed.status).toBe(201);
    const ticket = listed.body as { id: string };

    // The client renders the home page from the API, through the edge: the ticket is on it.
    await withLogs('client', () =>
      poll(
        async () => (await fetch(`${edgeUrl}/`).then((r) => r.text())).includes('Opera, stalls'),
        20_000,
        'the home page to list the ticket',
      ),
    );

    expect(
      (
        await buyer('POST', '/api/users/signup', {
          email: `buyer-${stamp}@example.com`,
          password: 'correct horse battery',
        })
      ).status,
    ).toBe(201);
    // Orders learns of the ticket from the bus: 404 until its copy has it.
    const ordered = await withLogs('orders', () =>
      poll(
        async () => {
          const response = await buyer('POST', '/api/orders', { ticketId: ticket.id });
          if (response.status !== 201 && response.status !== 404)
            throw new Error(`POST /api/orders: ${response.status} ${response.text}`);
          return response.status === 201 ? (response.body as { id: string; status: string }) : undefined;
        },
        30_000,
        "orders' copy of the ticket",
      ),
    );
    expect(ordered.status).toBe('created');

    // Tickets learns of the order from the bus: the ticket is reserved by it.
    await withLogs('tickets', () =>
      poll(
        async () => (await seller('GET', `/api/tickets/${ticket.id}`)).body.orderId === ordered.id,
        20_000,
        'the ticket to be reserved',
      ),
    );

    if (HAS_PAYMENTS) {
      const paid = await withLogs('payments', () =>
        poll(
          async () => {
            const response = await buyer('POST', '/api/payments', { orderId: ordered.id, token: 'tok_visa' });
            if (response.status !== 201 && response.status !== 404)
              throw new Error(`POST /api/payments: ${response.status} ${response.text}`);
            return response.status === 201 ? (response.body as { id: string }) : undefined;
          },
          30_000,
          "payments' copy of the order",
        ),
      );
      expect(paid.id).toEqual(expect.any(String));
      await withLogs('orders', () =>
        poll(
          async () => (await buyer('GET', `/api/orders/${ordered.id}`)).body.status === 'complete',
          20_000,
          'the order to be complete',
        ),
      );
    }
  }, 150_000);
});

describe('a broken Dockerfile', () => {
  test('without the COPY of a workspace fails to build', async () => {
    const template = await readFile(path.join(ROOT, SERVICE_DOCKERFILE), 'utf8');
    const broken = template.replace('COPY common/ common/\n', '');
    expect(broken).not.toBe(template);
    const dir = await mkdtemp(path.join(tmpdir(), 'ticketing-broken-'));
    const tag = `localhost/ticketing-broken/${LABEL.split('=')[1]}`;
    const mounts = buildMounts();
    try {
      await writeFile(path.join(dir, 'Dockerfile'), broken);
      const auth = deployables(ROOT).find((d) => d.name === SERVICES[0]!.name)!;

      const built = buildImage(ROOT, auth, {
        base: required('TEST_IMAGES_BASE'),
        dockerfile: path.join(dir, 'Dockerfile'),
        target: 'build',
        tag,
        mounts: mounts.flags,
      });

      expect(built.ok).toBe(false);
      expect(built.output).toMatch(/error TS\d+/);
    } finally {
      mounts.cleanup();
      await podman(['rmi', '--force', tag]).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

// Last: every container is stopped as Kubernetes and `podman stop` stop it. Next.js's
// server exits 143 (128 + SIGTERM) once its own shutdown has run; a PID 1 without a SIGTERM
// handler would not stop at all until the SIGKILL (137).
describe.each([...SERVICES.map((service) => [service.name, 0] as const), ['client', 143] as const])(
  'the %s container',
  (name, exitCode) => {
    test(`exits ${exitCode} within ${STOP_LIMIT_SECONDS} s of SIGTERM`, async () => {
      const { id } = running.get(name)!;
      expect((await stateOf(id)).status).toBe('running');

      const stopped = await stopContainer(id, 3 * STOP_LIMIT_SECONDS);

      await withLogs(name, async () => {
        expect(stopped.exitCode).toBe(exitCode);
        expect(stopped.seconds).toBeLessThan(STOP_LIMIT_SECONDS);
      });
    }, 30_000);
  },
);
