// Starts the whole system on one machine: nats-server, PostgreSQL, the services, the client, the edge.
// `npm start` and the end-to-end tests both start it through `startStack`.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatLine } from './log-format.mjs';
import { edgeProcess, loadIngressRoutes, tcpProbe } from './edge.mjs';
import { freePort, isPortFree, which } from '@ticketing/common/system';
import { directoryHolder, DirectoryLockedError, lockDirectory } from '@ticketing/common/dir-lock';
import { makePrivate } from '@ticketing/common/private-files';
import { ensureLocalStream, prepareBus, seedFile } from './bus-credentials.mjs';
import {
  chooseDatabase,
  ensureServiceDatabases,
  prepareServer,
  serverArgs,
  serverProcessesGone,
  serviceUrl,
} from './postgres.mjs';
import { SupervisedProcess } from './supervisor.mjs';
import { clientServer, hasClient } from './build.mjs';
import { httpProbe, natsProbe, waitUntilReady } from './readiness.mjs';
import { databaseUrlVariable, loadServices, serviceHost } from './services.mjs';
import { startTraceReceiver, tracesDir } from './trace-store.mjs';
import { prometheusProcess, startNatsMetricsBridge } from './prometheus.mjs';

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
 *   traces?: 'local',          keep the services' traces under DATA_DIR/traces for `npm run trace`
 *                              (unless OTEL_SDK_DISABLED=true, or OTEL_EXPORTER_OTLP_ENDPOINT
 *                              sends them elsewhere); by default only that variable turns them on
 *   prometheus?: { port?: number }, run Prometheus (on `port`, 9090 by default, 0 for any)
 *                              scraping every service and the bus
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
  const services = loadServices(root);
  const instances = options.instances ?? 1;
  const streamName = process.env.NATS_STREAM ?? process.env.NATS_CLUSTER_ID ?? 'ticketing';
  const logs = { print, color };

  const bus = await localBus(options, { dataDir, services, streamName, logs });
  const databases = await localDatabases(options, { dataDir, services, instances, say, logs });
  const { instancePorts, ports } = await allocatePorts(options, { root, services, instances });
  await waitForFreeDirs(
    [
      ...(bus.process ? [path.join(dataDir, 'nats')] : []),
      ...(databases.kind === 'pglite' ? databases.unplaced.map(({ name }) => path.join(dataDir, name)) : []),
      ...(databases.server ? [databases.server.home] : []),
    ],
    say,
  );
  // Servers in this process: closed by the stop below, or here when the start fails before it.
  const traces = await localTraces(options, { dataDir, say });
  let metrics;
  try {
    metrics = await localPrometheus(options, { dataDir, services, instancePorts, bus, logs });
  } catch (error) {
    await traces.receiver?.stop();
    throw error;
  }
  const serviceChildren = serviceProcesses(options, {
    root,
    dataDir,
    services,
    instances,
    instancePorts,
    logLevel,
    streamName,
    bus,
    databases,
    traces,
    logs,
  });
  // The edge: nginx routing as the Ingress says, the only component facing the network
  // (loopback unless HOST says otherwise: a laptop's door is not for the network).
  const edgePort = wantedPort === 0 ? await freePort() : wantedPort;
  const edge = edgeProcess({
    routes: loadIngressRoutes(path.join(root, 'infra', 'k8s', 'ingress-srv.yaml')),
    upstreams: instancePorts,
    host: options.host ?? '127.0.0.1',
    port: edgePort,
    dir: path.join(dataDir, 'edge'),
    ...logs,
  });
  const client = ports['client-srv'] && clientProcess(root, { port: ports['client-srv'], edgePort, logs });
  const processes = [bus.process, databases.postgres, ...serviceChildren, metrics?.process, edge, client].filter(
    Boolean,
  );
  // Stopped after everything else: the services drain into NATS and close their pools as they stop.
  const backbone = [bus.process, databases.postgres].filter(Boolean);

  const killOnExit = () => processes.forEach((child) => child.killNow('SIGTERM'));
  process.once('exit', killOnExit);
  const stop = stopInOrder({
    processes,
    edge,
    backbone,
    say,
    // Once stopped, nothing is left to kill at exit, and DATA_DIR is free for the next run.
    stopped: async () => {
      process.off('exit', killOnExit);
      // A server killed for want of time leaves its children (each in a group of its own)
      // writing in its folder for a moment: DATA_DIR is not free, nor removable, until they end.
      if (databases.server) {
        const killed = await serverProcessesGone(databases.server.home);
        if (killed) say(`killed ${killed} PostgreSQL processes left after the server was stopped`);
      }
      // After the services, whose last spans it receives as they stop.
      await traces.receiver?.stop();
      await metrics?.bridge?.stop();
      await dataLock.release();
    },
  });
  if (options.handleSignals) stopOnSignals(processes, stop, say);

  try {
    await bringUp({ processes, backbone, bus, databases, dataDir, say });
    await waitUntilReady(
      [
        ...(bus.process ? [natsProbe('nats', Number(new URL(bus.url).port))] : []),
        ...services.flatMap(({ name }) =>
          instancePorts[serviceHost(name)].map((port, i) =>
            httpProbe(instanceName(name, i, instances), port, '/readyz'),
          ),
        ),
        ...(client ? [httpProbe('client', ports['client-srv'], '/healthz')] : []),
        ...(metrics ? [httpProbe('prometheus', metrics.port, '/-/ready')] : []),
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
    /** Where the services' traces go: `DATA_DIR/traces`, an endpoint of the caller's, or nowhere. */
    traces: traces.where,
    /** Prometheus' address, when it runs. */
    prometheusUrl: metrics && `http://localhost:${metrics.port}`,
    port: edgePort,
    natsUrl: bus.url,
    natsMonitorPort: bus.monitorPort,
    ports,
    instancePorts,
    /** Each service's database URL, where it has one (not on PGlite). */
    databaseUrls: Object.fromEntries(
      services.flatMap(({ name }) => (databases.url(name) ? [[name, databases.url(name)]] : [])),
    ),
    processes,
    stop,
  };
}

/**
 * The services' traces: with `options.traces === 'local'`, a receiver in this process keeps
 * them under DATA_DIR/traces, unless the environment turns tracing off or names its own
 * endpoint (the services inherit that). Resolves with the variables the services get.
 */
async function localTraces(options, { dataDir, say }) {
  const disabled =
    (process.env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true' ||
    !(process.env.OTEL_TRACES_EXPORTER ?? 'otlp')
      .split(',')
      .map((name) => name.trim())
      .includes('otlp');
  const elsewhere = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (disabled || elsewhere || options.traces !== 'local') {
    return { env: {}, where: disabled ? 'off' : elsewhere || 'off' };
  }
  const dir = tracesDir(dataDir);
  const receiver = await startTraceReceiver({ dir });
  say(`traces: kept in ${dir} (npm run trace shows the latest; OTEL_SDK_DISABLED=true turns them off)`);
  return {
    receiver,
    where: dir,
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      // Within a second of the work, rather than the default five.
      OTEL_BSP_SCHEDULE_DELAY: process.env.OTEL_BSP_SCHEDULE_DELAY ?? '500',
    },
  };
}

/**
 * Prometheus, when `options.prometheus` asks for it: a job per service (every instance) and
 * the bus, through a bridge from nats-server's monitoring port when the runner runs it.
 */
async function localPrometheus(options, { dataDir, services, instancePorts, bus, logs }) {
  if (!options.prometheus) return undefined;
  const wanted = options.prometheus.port ?? 9090;
  const port = wanted === 0 ? await freePort() : wanted;
  if (!(await isPortFree(port))) {
    throw new Error(`Port ${port} is already in use. Choose another for Prometheus: PROMETHEUS_PORT=9091`);
  }
  if (!which('prometheus')) throw new Error('prometheus was not found. Install it: sudo apt-get install prometheus');
  const bridge = bus.monitorPort ? await startNatsMetricsBridge({ monitorPort: bus.monitorPort }) : undefined;
  const targets = {
    services: Object.fromEntries(services.map(({ name }) => [name, instancePorts[serviceHost(name)]])),
    natsBridgePort: bridge?.port,
  };
  return { port, bridge, process: prometheusProcess({ dataDir, port, targets, logs }) };
}

/** A service's instance name in the logs: `orders`, or `orders-1`, `orders-2` … beside others. */
const instanceName = (name, i, instances) => (instances > 1 ? `${name}-${i + 1}` : name);

/**
 * The bus: the nats-server the runner starts (authorization on, a user per service, its
 * store in DATA_DIR/nats), or the one at `options.natsUrl`. Resolves with its URL, its
 * process when the runner runs it, and each service's credential on it.
 */
async function localBus(options, { dataDir, services, streamName, logs }) {
  if (options.natsUrl) {
    return {
      url: options.natsUrl,
      /** A service's credential: the caller's, or `<SERVICE>_NATS_NKEY_SEED_FILE`. */
      credential(name) {
        if (options.natsSeeds?.[name]) return { NATS_NKEY_SEED: options.natsSeeds[name] };
        const file = process.env[`${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_NATS_NKEY_SEED_FILE`];
        return file ? { NATS_NKEY_SEED_FILE: file } : {};
      },
    };
  }
  const natsPort = options.natsPort === 0 ? await freePort() : (options.natsPort ?? 4222);
  if (!(await isPortFree(natsPort))) {
    throw new Error(
      `Port ${natsPort} is already in use (another nats-server?). To use that server instead, set NATS_URL, e.g.\n  NATS_URL=nats://127.0.0.1:${natsPort} npm start`,
    );
  }
  const monitorPort =
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
  const config = prepareBus({ dataDir, services, stream: streamName, port: natsPort, monitorPort });
  const url = `nats://127.0.0.1:${natsPort}`;
  return {
    url,
    monitorPort,
    // nats-server does not lock its store: the guard that runs it does, for as long as it runs.
    process: new SupervisedProcess({
      name: 'nats',
      command: binary,
      args: ['-c', config.config],
      env: process.env,
      ...logs,
      lock: path.join(dataDir, 'nats'),
    }),
    credential: (name) => ({ NATS_NKEY_SEED_FILE: seedFile(dataDir, name) }),
    /** Sets the stream and the services' consumers up as the runner's own user. */
    setUpStream: () =>
      ensureLocalStream({
        url,
        seed: config.runnerSeed,
        stream: streamName,
        replicas: Number(options.env?.NATS_STREAM_REPLICAS ?? 1),
        consumers: config.consumers,
      }),
  };
}

/**
 * The services' databases: a URL given for a service is its own; the others get the
 * runner's PostgreSQL server (a database and a role each) or the embedded PGlite.
 */
async function localDatabases(options, { dataDir, services, instances, say, logs }) {
  const givenUrl = (name) => options.databaseUrls?.[name] ?? process.env[databaseUrlVariable(name)];
  const unplaced = services.filter(({ name }) => !givenUrl(name));
  const database = unplaced.length
    ? chooseDatabase({ dataDir, services: unplaced, requested: options.database ?? process.env.DATABASE })
    : undefined;
  const names = unplaced.map((s) => s.name).join(', ');
  if (database) {
    say(
      database.kind === 'postgres'
        ? `databases: one PostgreSQL server in ${path.join(dataDir, 'postgres')}, a database and a role for each of ${names} (${database.reason})`
        : `databases: the embedded PGlite in ${dataDir}/<service> for ${names}: ${database.reason}`,
    );
  }
  if (instances > 1 && database?.kind === 'pglite') {
    throw new Error(
      `${instances} instances of ${names} would share one embedded database folder: give each a PostgreSQL server (${unplaced.map((s) => databaseUrlVariable(s.name)).join(', ')})`,
    );
  }
  if (database?.kind !== 'postgres') {
    return { kind: database?.kind, unplaced, url: givenUrl };
  }
  const server = prepareServer(dataDir, { durable: options.durable ?? true });
  server.port = await freePort();
  say(
    `postgres: listening on 127.0.0.1:${server.port}, superuser ticketing, its password in ${path.join(dataDir, 'credentials', 'postgres-ticketing.pw')}`,
  );
  return {
    kind: 'postgres',
    unplaced,
    server,
    url: (name) => givenUrl(name) ?? serviceUrl(dataDir, name, server.port),
    postgres: new SupervisedProcess({
      name: 'postgres',
      command: server.programs.postgres,
      args: serverArgs(server.cluster, server.port, { durable: server.durable }),
      env: process.env,
      ...logs,
      lock: server.home,
      user: server.user,
      // Its fast shutdown: the services are gone by then, nothing to wait for.
      stopSignal: 'SIGINT',
    }),
  };
}

/** A free local port for each instance of each service (keyed by its Service name in the Ingress), and the client's. */
async function allocatePorts(options, { root, services, instances }) {
  /** @type {Record<string, number[]>} component's Service name → the local ports of its instances */
  const instancePorts = {};
  for (const service of services) {
    instancePorts[serviceHost(service.name)] = await Promise.all(Array.from({ length: instances }, () => freePort()));
  }
  if ((options.client ?? true) && hasClient(root)) instancePorts['client-srv'] = [await freePort()];
  /** @type {Record<string, number>} component's Service name → its (first instance's) local port */
  const ports = Object.fromEntries(Object.entries(instancePorts).map(([host, [port]]) => [host, port]));
  return { instancePorts, ports };
}

/** Every instance of every service, each with its own port, database and credential on the bus. */
function serviceProcesses(
  options,
  { root, dataDir, services, instances, instancePorts, logLevel, streamName, bus, databases, traces, logs },
) {
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
  return services.flatMap(({ name }) =>
    instancePorts[serviceHost(name)].map(
      (port, i) =>
        new SupervisedProcess({
          name: instanceName(name, i, instances),
          command: process.execPath,
          args: [path.join(root, name, 'dist', 'index.js')],
          env: {
            ...LOCAL_LIMITS,
            ...baseEnv,
            ...traces.env,
            ...options.env,
            PORT: String(port),
            // Only the edge faces the network; the services answer on loopback.
            HOST: '127.0.0.1',
            JWT_KEY: key,
            DATA_DIR: dataDir,
            COOKIE_SECURE: 'false',
            LOG_LEVEL: logLevel,
            NODE_ENV: 'production',
            DATABASE_URL: databases.url(name),
            NATS_URL: bus.url,
            NATS_STREAM: streamName,
            NATS_CLIENT_ID: `${instanceName(name, i, instances)}-${process.pid}`,
            ...bus.credential(name),
          },
          ...logs,
        }),
    ),
  );
}

/** The web client's production server, which calls the API through the edge. */
function clientProcess(root, { port, edgePort, logs }) {
  return new SupervisedProcess({
    name: 'client',
    command: process.execPath,
    args: [clientServer(root)],
    env: {
      ...process.env,
      PORT: String(port),
      HOSTNAME: '127.0.0.1',
      API_URL: `http://127.0.0.1:${edgePort}`,
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_ENV: 'production',
    },
    ...logs,
  });
}

/**
 * The stop, in order, run once however often it is asked for: the edge at once, dropping
 * what it holds; the client and the services together, while NATS is still up for their
 * drain; then the backbone; then `stopped`.
 */
function stopInOrder({ processes, edge, backbone, say, stopped }) {
  let stopping;
  const stop = () =>
    (stopping ??= (async () => {
      const started = Date.now();
      say('stopping');
      const outcomes = [[edge.name, await edge.stop(BACKBONE_GRACE_MS)]];
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
      await stopped();
      say(`stopped in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    })());
  return stop;
}

/**
 * Children run in their own process groups, so a signal reaches only the runner: it passes
 * the stop on, also during start-up, then exits. A second signal kills them at once.
 */
function stopOnSignals(processes, stop, say) {
  let signals = 0;
  const onSignal = (signal) => {
    if (++signals > 1) {
      processes.forEach((child) => child.killNow('SIGKILL'));
      process.exit(130);
    }
    say(`${signal}: stopping everything (again to force)`);
    void stop().then(() => process.exit(0));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, onSignal);
}

/** Starts the backbone, sets the stream and the databases up, then starts everything else. */
async function bringUp({ processes, backbone, bus, databases, dataDir, say }) {
  if (bus.process) {
    // The services may not create the stream: it is set up first, and again whenever
    // nats-server starts again (a server that lost its store has none).
    bus.process.onLine(
      (line) => line.includes('Server is ready'),
      () => void bus.setUpStream().catch((error) => say(`cannot set up the stream: ${error.message}`)),
    );
    bus.process.start();
  }
  databases.postgres?.start();
  await Promise.all([
    bus.process && bus.setUpStream(),
    databases.postgres &&
      ensureServiceDatabases({
        port: databases.server.port,
        superPassword: databases.server.superPassword,
        dataDir,
        services: databases.unplaced,
      }),
  ]);
  for (const child of processes) if (!backbone.includes(child)) child.start();
}
