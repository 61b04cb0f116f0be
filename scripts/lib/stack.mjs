// Starts the whole system on one machine: nats-server, the services, the client, the gateway.
// `npm start` and the end-to-end tests both start it through `startStack`.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatLine } from './log-format.mjs';
import { createGateway, loadIngressRoutes } from './gateway.mjs';
import { freePort, isPortFree, waitForPort, which } from '../../common/lib/system.cjs';
import { SupervisedProcess } from './supervisor.mjs';
import { clientServer, hasClient } from './build.mjs';
import { databaseUrlVariable, loadServices, serviceHost } from './services.mjs';

/** Reads the JWT key from DATA_DIR, generating one on first run. */
function jwtKey(dataDir) {
  const file = path.join(dataDir, 'jwt-key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/**
 * Starts everything and resolves once the gateway serves and every component listens.
 * @param {{
 *   root: string,
 *   port?: number,              gateway port (0: any free port)
 *   dataDir: string,
 *   natsUrl?: string,           use this NATS server instead of starting one
 *   natsPort?: number,          for the started nats-server (0: any free port)
 *   natsMonitorPort?: number,   (0: any free port; null: no monitoring)
 *   logLevel?: string,
 *   print?: (line: string) => void,
 *   color?: boolean,
 *   jwtKey?: string,
 *   handleSignals?: boolean,   stop everything on SIGINT/SIGTERM/SIGHUP, then exit (npm start)
 *   client?: boolean,          run the web client too (default: when it has been built)
 * }} options
 */
export async function startStack(options) {
  const { root, dataDir, logLevel = 'info', color = false } = options;
  const print = options.print ?? ((line) => process.stdout.write(`${line}\n`));
  const say = (text) => print(formatLine('runner', text, color));
  mkdirSync(dataDir, { recursive: true });

  const wantedPort = options.port ?? 3000;
  if (wantedPort !== 0 && !(await isPortFree(wantedPort))) {
    throw new Error(
      `Port ${wantedPort} is already in use. Stop what uses it, or choose another port: PORT=3001 npm start`,
    );
  }

  const processes = [];
  let natsUrl = options.natsUrl;
  let natsMonitorPort;
  if (!natsUrl) {
    const natsPort = options.natsPort === 0 ? await freePort() : (options.natsPort ?? 4222);
    if (!(await isPortFree(natsPort))) {
      throw new Error(
        `Port ${natsPort} is already in use (another nats-server?). To use that server instead, set NATS_URL, e.g.\n  NATS_URL=nats://127.0.0.1:${natsPort} npm start`,
      );
    }
    natsMonitorPort =
      options.natsMonitorPort === null
        ? undefined
        : options.natsMonitorPort === 0
          ? await freePort()
          : (options.natsMonitorPort ?? 8222);
    const binary = which('nats-server');
    if (!binary)
      throw new Error('nats-server was not found. Install it: sudo apt-get install nats-server (or set NATS_URL)');
    // Loopback only: a laptop's bus is not for the network it sits on.
    const args = [
      '-js',
      '-sd',
      path.join(dataDir, 'nats'),
      '-n',
      'ticketing-local',
      '-a',
      '127.0.0.1',
      '-p',
      String(natsPort),
    ];
    if (natsMonitorPort) args.push('-m', String(natsMonitorPort));
    processes.push(new SupervisedProcess({ name: 'nats', command: binary, args, env: process.env, print, color }));
    natsUrl = `nats://127.0.0.1:${natsPort}`;
  }

  const services = loadServices(root);
  /** @type {Record<string, number>} component's Service name → its local port */
  const ports = {};
  for (const service of services) ports[serviceHost(service.name)] = await freePort();
  if ((options.client ?? true) && hasClient(root)) ports['client-srv'] = await freePort();
  const key = options.jwtKey ?? jwtKey(dataDir);
  // One DATABASE_URL would send every service to one database: each has its own variable here.
  const { DATABASE_URL: _shared, ...baseEnv } = process.env;
  const node = process.execPath;

  for (const { name } of services) {
    processes.push(
      new SupervisedProcess({
        name,
        command: node,
        args: [path.join(root, name, 'dist', 'index.js')],
        env: {
          ...baseEnv,
          PORT: String(ports[serviceHost(name)]),
          // Only the gateway faces the network; the services answer on loopback.
          HOST: '127.0.0.1',
          JWT_KEY: key,
          DATA_DIR: dataDir,
          COOKIE_SECURE: 'false',
          LOG_LEVEL: logLevel,
          NODE_ENV: 'production',
          DATABASE_URL: process.env[databaseUrlVariable(name)],
          NATS_URL: natsUrl,
          NATS_CLUSTER_ID: process.env.NATS_CLUSTER_ID ?? 'ticketing',
          NATS_CLIENT_ID: `${name}-${process.pid}`,
        },
        print,
        color,
      }),
    );
  }

  const routes = loadIngressRoutes(path.join(root, 'infra', 'k8s', 'ingress-srv.yaml'));
  const gateway = createGateway({ routes, ports, log: (line) => print(formatLine('gateway', line, color)) });
  await new Promise((resolve, reject) => {
    gateway.once('error', reject);
    gateway.listen(wantedPort, () => {
      gateway.off('error', reject);
      resolve();
    });
  });
  gateway.on('error', (error) => say(`gateway error: ${error.message}`));
  const gatewayPort = gateway.address().port;

  if (ports['client-srv']) {
    processes.push(
      new SupervisedProcess({
        name: 'client',
        command: node,
        args: [clientServer(root)],
        env: {
          ...process.env,
          PORT: String(ports['client-srv']),
          HOSTNAME: '127.0.0.1',
          API_URL: `http://127.0.0.1:${gatewayPort}`,
          NEXT_TELEMETRY_DISABLED: '1',
          NODE_ENV: 'production',
        },
        print,
        color,
      }),
    );
  }

  const killAll = () => processes.forEach((child) => child.killNow());
  // Children run in their own process groups, so a signal reaches only the runner: it must
  // pass the stop on, also during start-up. A second signal stops them at once.
  let signals = 0;
  const onSignal = (signal) => {
    if (++signals > 1) {
      killAll();
      process.exit(130);
    }
    say(`${signal}: stopping everything (again to force)`);
    void stop().then(() => process.exit(0));
  };
  if (options.handleSignals) for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, onSignal);
  process.once('exit', killAll);

  let stopping;
  const stop = () =>
    (stopping ??= (async () => {
      say('stopping');
      await new Promise((resolve) => {
        gateway.close(() => resolve());
        gateway.closeAllConnections();
      });
      // Reverse start order: the client and services finish their work while NATS is still up.
      for (const child of [...processes].reverse()) await child.stop();
      process.off('exit', killAll);
      say('stopped');
    })());

  try {
    const nats = processes.find((child) => child.name === 'nats');
    if (nats) {
      nats.start();
      await waitForPort(Number(new URL(natsUrl).port));
    }
    for (const child of processes) if (child !== nats) child.start();
    for (const port of Object.values(ports)) await waitForPort(port, 120_000);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url: `http://localhost:${gatewayPort}`,
    port: gatewayPort,
    natsUrl,
    natsMonitorPort,
    ports,
    processes,
    stop,
  };
}
