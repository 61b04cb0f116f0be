// Starts the whole system on one machine: nats-server, PostgreSQL, the services, the client, the edge.
// `npm start` and the end-to-end tests both start it through `startStack`.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatLine } from './log-format.mjs';
import { edgeProcess, loadIngressRoutes, tcpProbe } from './edge.mjs';
import { freePort, isPortFree, which } from '../../common/lib/system.cjs';
import { directoryHolder, DirectoryLockedError, lockDirectory } from '../../common/lib/dir-lock.cjs';
import { makePrivate } from '../../common/lib/private-files.cjs';
import { ensureLocalStream, prepareBus, seedFile } from './bus-credentials.mjs';
import { chooseDatabase, ensureServiceDatabases, prepareServer, serverArgs, serviceUrl } from './postgres.mjs';
import { SupervisedProcess } from './supervisor.mjs';
import { clientServer, hasClient } from './build.mjs';
import { httpProbe, natsProbe, waitUntilReady } from './readiness.mjs';
import { databaseUrlVariable, loadServices, serviceHost } from './services.mjs';

// A stop takes at most about STOP_GRACE_MS + BACKBONE_GRACE_MS: the client and the services get
// SIGTERM together and their process groups are killed after STOP_GRACE_MS; then NATS (which
// they drain into while they stop) and the PostgreSQL server get BACKBONE_GRACE_MS.
const STOP_GRACE_MS = 3_500;
const BACKBONE_GRACE_MS = 1_000;
// How long a component's folder may stay held by a process of an earlier run (still stopping
// after its runner was killed) before the start gives up.
const HELD_DIR_WAIT_MS = 10_000;

/** Reads the JWT key from DATA_DIR, generating one on first run. */
function jwtKey(dataDir) {
  const file = path.join(dataDir, 'jwt-key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/** Takes DATA_DIR for this run, or says which process has it. */
async function lockDataDir(dataDir) {
  try {
    return await lockDirectory(dataDir, { owner: 'npm start' });
  } catch (error) {
    if (!(error instanceof DirectoryLockedError)) throw error;
    const who = error.holder?.pid ? `pid ${error.holder.pid} (${error.holder.owner ?? 'unknown'})` : 'another process';
    throw new Error(
      `DATA_DIR ${dataDir} is in use by ${who}: two runs on one DATA_DIR would corrupt its databases. Stop that one first, or give this one its own DATA_DIR.`,
      { cause: error },
    );
  }
}

/**
 * Waits until no process of an earlier run holds a component's folder (one whose runner was
 * killed stops by itself within seconds), or throws naming the holder.
 */
async function waitForFreeDirs(dirs, say) {
  const deadline = Date.now() + HELD_DIR_WAIT_MS;
  for (const dir of dirs) {
    let told = false;
    for (;;) {
      const holder = await directoryHolder(dir);
      if (!holder) break;
      const who = holder.pid ? `pid ${holder.pid} (${holder.owner ?? 'unknown'})` : 'another process';
      if (Date.now() > deadline) {
        throw new Error(
          `${dir} is still in use by ${who}. Stop it${holder.pid ? ` (kill ${holder.pid})` : ''} and start again.`,
        );
      }
      if (!told) say(`waiting for ${who} to let go of ${dir}`);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/**
 * Limits fit for a laptop, where every visitor comes from 127.0.0.1: the per-address limits
 * production keeps (20 sign-ups an hour) would lock a person trying the app by hand out of
 * their own machine. The environment overrides them, as it does every other variable.
 */
const LOCAL_LIMITS = { THROTTLE_SIGNIN_PER_ADDRESS: '1000/15m', THROTTLE_SIGNUP_PER_ADDRESS: '1000/1h' };

/**
 * Starts everything and resolves once every component answers. Takes DATA_DIR's lock first,
 * so a second run on the same DATA_DIR refuses, naming the first.
 * @param {{
 *   root: string,
 *   port?: number,              the edge's port (0: any free port)
 *   host?: string,              the edge's address (default 127.0.0.1: loopback only)
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
 *   instances?: number,        instances of each service behind the edge (default 1; more
 *                              need a PostgreSQL server: a PGlite folder takes one process)
 *   databaseUrls?: Record<string, string>, a service's PostgreSQL URL by name (default: the
 *                              `<SERVICE>_DATABASE_URL` variables)
 *   env?: Record<string, string>, more environment for every service (NATS_STREAM_REPLICAS, …)
 *   database?: 'postgres' | 'pglite', the services' databases (default: DATABASE, else the
 *                              runner's PostgreSQL server where one can be had, else PGlite)
 *   durable?: boolean,         false for a throwaway DATA_DIR (tests): its PostgreSQL server skips syncs
 *   natsSeeds?: Record<string, string>, each service's nkey seed on the server at `natsUrl`
 *                              (default: the `<SERVICE>_NATS_NKEY_SEED_FILE` variables)
 * }} options
 */
export async function startStack(options) {
  const { dataDir, logLevel = 'info', color = false } = options;
  const print = options.print ?? ((line) => process.stdout.write(`${line}\n`));
  const say = (text) => print(formatLine('runner', text, color));
  const dataLock = await lockDataDir(dataDir);
  try {
    return await startLocked(options, { dataDir, logLevel, color, print, say, dataLock });
  } catch (error) {
    await dataLock.release();
    throw error;
  }
}

async function startLocked(options, { dataDir, logLevel, color, print, say, dataLock }) {
  const { root } = options;
  const wantedPort = options.port ?? 3000;
  if (wantedPort !== 0 && !(await isPortFree(wantedPort))) {
    throw new Error(
      `Port ${wantedPort} is already in use. Stop what uses it, or choose another port: PORT=3001 npm start`,
    );
  }
  // Private whatever the umask, including what a run under a looser one left behind.
  makePrivate(dataDir);

  const processes = [];
  let natsUrl = options.natsUrl;
  let natsMonitorPort;
  /** The local bus's configuration and the runner's own credential, when it runs nats-server. */
  let bus;
  const streamName = process.env.NATS_STREAM ?? process.env.NATS_CLUSTER_ID ?? 'ticketing';
  /** A service's credential: the runner's own bus makes them; elsewhere the caller's or `<SERVICE>_NATS_NKEY_SEED_FILE`. */
  const natsCredential = (name) => {
    if (bus) return { NATS_NKEY_SEED_FILE: seedFile(dataDir, name) };
    if (options.natsSeeds?.[name]) return { NATS_NKEY_SEED: options.natsSeeds[name] };
    const file = process.env[`${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_NATS_NKEY_SEED_FILE`];
    return file ? { NATS_NKEY_SEED_FILE: file } : {};
  };
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
    // Authorization on: a user per service, which may publish only what it owns (and the
    // runner's own, which sets the stream up), all kept in DATA_DIR/credentials.
    bus = prepareBus({
      dataDir,
      services: loadServices(root),
      stream: streamName,
      port: natsPort,
      monitorPort: natsMonitorPort,
    });
    // nats-server does not lock its store: the guard that runs it does, for as long as it runs.
    processes.push(
      new SupervisedProcess({
        name: 'nats',
        command: binary,
        args: ['-c', bus.config],
        env: process.env,
        print,
        color,
        lock: path.join(dataDir, 'nats'),
      }),
    );
    natsUrl = `nats://127.0.0.1:${natsPort}`;
  }

  const services = loadServices(root);
  const instances = options.instances ?? 1;
  const givenUrl = (name) => options.databaseUrls?.[name] ?? process.env[databaseUrlVariable(name)];
  const unplaced = services.filter(({ name }) => !givenUrl(name));
  // The services without a server of their own get the runner's PostgreSQL server, or PGlite.
  const database = unplaced.length
    ? chooseDatabase({ dataDir, services: unplaced, requested: options.database ?? process.env.DATABASE })
    : undefined;
  let postgres;
  let postgresServer;
  const databaseUrl = (name) =>
    givenUrl(name) ?? (postgresServer ? serviceUrl(dataDir, name, postgresServer.port) : undefined);
  if (database) {
    say(
      database.kind === 'postgres'
        ? `databases: one PostgreSQL server in ${path.join(dataDir, 'postgres')}, a database and a role for each of ${unplaced.map((s) => s.name).join(', ')} (${database.reason})`
        : `databases: the embedded PGlite in ${dataDir}/<service> for ${unplaced.map((s) => s.name).join(', ')}: ${database.reason}`,
    );
  }
  if (instances > 1 && database?.kind === 'pglite') {
    throw new Error(
      `${instances} instances of ${unplaced.map((s) => s.name).join(', ')} would share one embedded database folder: give each a PostgreSQL server (${unplaced.map((s) => databaseUrlVariable(s.name)).join(', ')})`,
    );
  }
  if (database?.kind === 'postgres') {
    postgresServer = prepareServer(dataDir, { durable: options.durable ?? true });
    postgresServer.port = await freePort();
    say(
      `postgres: listening on 127.0.0.1:${postgresServer.port}, superuser ticketing, its password in ${path.join(dataDir, 'credentials', 'postgres-ticketing.pw')}`,
    );
    postgres = new SupervisedProcess({
      name: 'postgres',
      command: postgresServer.programs.postgres,
      args: serverArgs(postgresServer.cluster, postgresServer.port, { durable: postgresServer.durable }),
      env: process.env,
      print,
      color,
      lock: postgresServer.home,
      user: postgresServer.user,
      // Its fast shutdown: the services are gone by then, nothing to wait for.
      stopSignal: 'SIGINT',
    });
    processes.push(postgres);
  }
  /** @type {Record<string, number[]>} component's Service name → the local ports of its instances */
  const instancePorts = {};
  for (const service of services) {
    instancePorts[serviceHost(service.name)] = await Promise.all(Array.from({ length: instances }, () => freePort()));
  }
  if ((options.client ?? true) && hasClient(root)) instancePorts['client-srv'] = [await freePort()];
  /** @type {Record<string, number>} component's Service name → its (first instance's) local port */
  const ports = Object.fromEntries(Object.entries(instancePorts).map(([host, [port]]) => [host, port]));
  await waitForFreeDirs(
    [
      ...(options.natsUrl ? [] : [path.join(dataDir, 'nats')]),
      ...(database?.kind === 'pglite' ? unplaced.map(({ name }) => path.join(dataDir, name)) : []),
      ...(postgresServer ? [postgresServer.home] : []),
    ],
    say,
  );
  const key = options.jwtKey ?? jwtKey(dataDir);
  // One DATABASE_URL would send every service to one database, one credential on the bus make
  // every service the same user: each has its own, given below.
  const {
    DATABASE_URL: _shared,
    NATS_NKEY_SEED: _seed,
    NATS_NKEY_SEED_FILE: _seedFile,
    NATS_USER: _user,
    NATS_PASSWORD: _password,
    ...baseEnv
  } = process.env;
  const node = process.execPath;

  const instanceName = (name, i) => (instances > 1 ? `${name}-${i + 1}` : name);
  for (const { name } of services) {
    instancePorts[serviceHost(name)].forEach((port, i) =>
      processes.push(
        new SupervisedProcess({
          name: instanceName(name, i),
          command: node,
          args: [path.join(root, name, 'dist', 'index.js')],
          env: {
            ...LOCAL_LIMITS,
            ...baseEnv,
            ...options.env,
            PORT: String(port),
            // Only the edge faces the network; the services answer on loopback.
            HOST: '127.0.0.1',
            JWT_KEY: key,
            DATA_DIR: dataDir,
            COOKIE_SECURE: 'false',
            LOG_LEVEL: logLevel,
            NODE_ENV: 'production',
            DATABASE_URL: databaseUrl(name),
            NATS_URL: natsUrl,
            NATS_STREAM: streamName,
            NATS_CLIENT_ID: `${instanceName(name, i)}-${process.pid}`,
            ...natsCredential(name),
          },
          print,
          color,
        }),
      ),
    );
  }

  // The edge: nginx routing as the Ingress says, the only component facing the network
  // (loopback unless HOST says otherwise: a laptop's door is not for the network).
  const edgePort = wantedPort === 0 ? await freePort() : wantedPort;
  const edge = edgeProcess({
    routes: loadIngressRoutes(path.join(root, 'infra', 'k8s', 'ingress-srv.yaml')),
    upstreams: instancePorts,
    host: options.host ?? '127.0.0.1',
    port: edgePort,
    dir: path.join(dataDir, 'edge'),
    print,
    color,
  });
  processes.push(edge);

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
          API_URL: `http://127.0.0.1:${edgePort}`,
          NEXT_TELEMETRY_DISABLED: '1',
          NODE_ENV: 'production',
        },
        print,
        color,
      }),
    );
  }

  const killAll = (signal) => processes.forEach((child) => child.killNow(signal));
  const killOnExit = () => killAll('SIGTERM');
  // Children run in their own process groups, so a signal reaches only the runner: it must
  // pass the stop on, also during start-up. A second signal stops them at once.
  let signals = 0;
  const onSignal = (signal) => {
    if (++signals > 1) {
      killAll('SIGKILL');
      process.exit(130);
    }
    say(`${signal}: stopping everything (again to force)`);
    void stop().then(() => process.exit(0));
  };
  if (options.handleSignals) for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, onSignal);
  process.once('exit', killOnExit);

  const nats = processes.find((child) => child.name === 'nats');
  // Stopped after everything else: the services drain into NATS and close their pools as they stop.
  const backbone = [nats, postgres].filter(Boolean);
  const setUpStream = () =>
    ensureLocalStream({
      url: natsUrl,
      seed: bus.runnerSeed,
      stream: streamName,
      replicas: Number(options.env?.NATS_STREAM_REPLICAS ?? 1),
      consumers: bus.consumers,
    });
  let stopping;
  const stop = () =>
    (stopping ??= (async () => {
      const started = Date.now();
      say('stopping');
      // Nothing waits on a client: the edge stops at once, dropping what it holds.
      const outcomes = [[edge.name, await edge.stop(BACKBONE_GRACE_MS)]];
      // The client and the services stop together, while NATS is still up for their drain.
      outcomes.push(
        ...(await Promise.all(
          processes
            .filter((child) => child !== edge && !backbone.includes(child))
            .map(async (child) => [child.name, await child.stop(STOP_GRACE_MS)]),
        )),
      );
      outcomes.push(
        ...(await Promise.all(backbone.map(async (child) => [child.name, await child.stop(BACKBONE_GRACE_MS)]))),
      );
      const killed = outcomes.filter(([, outcome]) => outcome === 'killed').map(([name]) => name);
      if (killed.length) say(`killed ${killed.join(', ')}: did not stop in time`);
      process.off('exit', killOnExit);
      await dataLock.release();
      say(`stopped in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    })());

  try {
    if (nats) {
      // The services may not create the stream: it is set up first, and again whenever
      // nats-server starts again (a server that lost its store has none).
      nats.onLine(
        (line) => line.includes('Server is ready'),
        () => void setUpStream().catch((error) => say(`cannot set up the stream: ${error.message}`)),
      );
      nats.start();
    }
    if (postgres) postgres.start();
    await Promise.all([
      nats && setUpStream(),
      postgres &&
        ensureServiceDatabases({
          port: postgresServer.port,
          superPassword: postgresServer.superPassword,
          dataDir,
          services: unplaced,
        }),
    ]);
    for (const child of processes) if (!backbone.includes(child)) child.start();
    await waitUntilReady(
      [
        ...(nats ? [natsProbe('nats', Number(new URL(natsUrl).port))] : []),
        ...services.flatMap(({ name }) =>
          instancePorts[serviceHost(name)].map((port, i) => httpProbe(instanceName(name, i), port, '/readyz')),
        ),
        ...(ports['client-srv'] ? [httpProbe('client', ports['client-srv'], '/healthz')] : []),
        tcpProbe('edge', edgePort),
      ],
      { timeoutMs: 120_000 },
    );
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url: `http://localhost:${edgePort}`,
    port: edgePort,
    natsUrl,
    natsMonitorPort,
    ports,
    instancePorts,
    /** Each service's database URL, where it has one (not on PGlite). */
    databaseUrls: Object.fromEntries(
      services.flatMap(({ name }) => (databaseUrl(name) ? [[name, databaseUrl(name)]] : [])),
    ),
    processes,
    stop,
  };
}
