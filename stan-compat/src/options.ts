import { readFileSync } from 'node:fs';
import {
  credsAuthenticator,
  nkeyAuthenticator,
  tokenAuthenticator,
  type Authenticator,
  type NatsConnection,
  type NodeConnectionOptions,
} from '@nats-io/transport-node';

/** Node TLS options, as the NATS client takes them. */
export type NodeTlsOptions = NonNullable<NodeConnectionOptions['tls']>;

const DEFAULT_PORT = 4222;
const DEFAULT_URL = `nats://localhost:${DEFAULT_PORT}`;

/**
 * The NATS connection options node-nats-streaming forwarded to node-nats. Those without a
 * counterpart in the current NATS client (`nkey`, `nonceSigner`, `userJWT`, …) are refused
 * at connect with an `error` event rather than silently ignored.
 */
export interface ClientOpts {
  /** A server URL: `nats://host:port`, `host:port`, or the `http://host:4222` form of the reference design. */
  url?: string;
  /** Several server URLs; the client picks one and fails over to the others. */
  servers?: string[];
  /** A port on localhost, as node-nats-streaming accepted. */
  port?: number;
  /** The NATS connection name (default: the client id). */
  name?: string;
  user?: string;
  pass?: string;
  token?: string;
  tokenHandler?: () => string;
  /** Path of a `.creds` file (user JWT and nkey seed). */
  userCreds?: string;
  /** `true` requires TLS with the system's trust store; an object passes Node TLS options. */
  tls?: boolean | NodeTlsOptions;
  reconnect?: boolean;
  /** -1 (the default, as in node-nats-streaming) retries for ever. */
  maxReconnectAttempts?: number;
  reconnectTimeWait?: number;
  reconnectJitter?: number;
  reconnectJitterTLS?: number;
  reconnectDelayHandler?: () => number;
  /** Keep trying until the server is first reachable, instead of failing with an `error` event. */
  waitOnFirstConnect?: boolean;
  /** Milliseconds to wait for the first connection to a server. */
  timeout?: number;
  noRandomize?: boolean;
  verbose?: boolean;
  pedantic?: boolean;
  /** Milliseconds between pings to the server. */
  pingInterval?: number;
  /** Unanswered pings before the connection counts as lost and the client reconnects. */
  maxPingOut?: number;
  /** Accepted for compatibility; this client always exchanges raw bytes. */
  encoding?: BufferEncoding | 'binary';
  nkey?: unknown;
  nonceSigner?: unknown;
  userJWT?: unknown;
  uri?: string;
  urls?: string[];
  password?: string;
}

/** Options of `connect(clusterId, clientId, opts)`, as node-nats-streaming took them, plus `subjects`. */
export interface StanOptions extends ClientOpts {
  /** Milliseconds a JetStream API request (stream and consumer set-up) may take (default 5000). */
  connectTimeout?: number;
  /** Milliseconds `publish` waits for the server to store a message (default 30000). */
  ackTimeout?: number;
  /** Publishes allowed to wait for their acknowledgement at once (default 16384). */
  maxPubAcksInflight?: number;
  /** `'binary'` makes `Message.getData()` return a Buffer; anything else returns a UTF-8 string. */
  stanEncoding?: BufferEncoding | 'binary';
  /** Like node-nats-streaming's ping to the streaming server: the NATS ping interval, unless `pingInterval` is set. */
  stanPingInterval?: number;
  /** Like node-nats-streaming's: the NATS maximum of unanswered pings, unless `maxPingOut` is set. */
  stanMaxPingOut?: number;
  /** Accepted for compatibility; there is no discovery subject on JetStream. */
  discoverPrefix?: string;
  /** An open NATS connection to use instead of opening one; `close()` leaves it open. */
  nc?: NatsConnection;
  /** Subjects the stream (named by the cluster id) is created with at connect; others are added on first use. */
  subjects?: string[];
}

/** What `connect` works with once the options are read. */
export interface ResolvedOptions {
  connection: NodeConnectionOptions;
  nc?: NatsConnection;
  apiTimeout: number;
  ackTimeout: number;
  maxPubAcksInflight: number;
  encoding: BufferEncoding | 'binary';
  subjects: string[];
  unsupported: string[];
}

/**
 * Turns what node-nats-streaming accepted as a server into a URL the NATS client takes:
 * adds `nats://` and the default port when missing, and reads `http://` (which the reference
 * design uses) as plain NATS and `https://` as TLS.
 */
export function sanitizeUrl(server: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `nats://${server}`;
  const url = new URL(withScheme);
  const scheme = url.protocol === 'https:' || url.protocol === 'tls:' ? 'tls' : url.protocol.slice(0, -1);
  const protocol = scheme === 'http' ? 'nats' : scheme;
  const auth = url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  return `${protocol}://${auth}${url.hostname}:${url.port || DEFAULT_PORT}`;
}

/** True for the server node-nats-streaming connects to when told nothing: port 4222 on this machine. */
export function isDefaultServer(server: string): boolean {
  const url = new URL(sanitizeUrl(server));
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) && Number(url.port) === DEFAULT_PORT;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function authenticators(opts: ClientOpts): Authenticator[] | undefined {
  const list: Authenticator[] = [];
  if (opts.tokenHandler) list.push(tokenAuthenticator(opts.tokenHandler));
  if (opts.userCreds) {
    const file = opts.userCreds;
    list.push(credsAuthenticator(() => readFileSync(file)));
  }
  return list.length > 0 ? list : undefined;
}

/**
 * Credentials from the environment, for code that names none itself (the reference design's
 * scripts do not): `NATS_NKEY_SEED`, or the file `NATS_NKEY_SEED_FILE` names, or `NATS_USER`
 * with `NATS_PASSWORD`.
 */
function environmentCredentials(
  env: NodeJS.ProcessEnv,
): Pick<NodeConnectionOptions, 'authenticator' | 'user' | 'pass'> {
  const seed = env.NATS_NKEY_SEED || (env.NATS_NKEY_SEED_FILE && readFileSync(env.NATS_NKEY_SEED_FILE, 'utf8').trim());
  if (seed) return { authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)) };
  if (env.NATS_USER) return { user: env.NATS_USER, pass: env.NATS_PASSWORD };
  return {};
}

/**
 * Reads `connect`'s third argument the way node-nats-streaming did (an options object, a
 * URL string, or a port number). When `env.NATS_URL` is set and the options name no server
 * or only the default one (localhost:4222), `NATS_URL` is used instead, so code written
 * for a local server can be pointed elsewhere without editing it.
 */
export function resolveOptions(
  clientId: string,
  input: StanOptions | string | number | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedOptions {
  const opts: StanOptions =
    typeof input === 'number' ? { port: input } : typeof input === 'string' ? { url: input } : { ...(input ?? {}) };

  const listed = opts.servers ?? opts.urls;
  const single = opts.url ?? opts.uri ?? (opts.port !== undefined ? `localhost:${opts.port}` : undefined);
  let servers = listed && listed.length > 0 ? listed : [single ?? DEFAULT_URL];
  if (env.NATS_URL && servers.every(isDefaultServer)) servers = env.NATS_URL.split(',');

  const named = opts.user !== undefined || opts.token !== undefined || opts.userCreds || opts.tokenHandler;
  const connection = withoutUndefined<NodeConnectionOptions>({
    servers: servers.map((server) => sanitizeUrl(server.trim())),
    name: opts.name ?? clientId,
    ...(named ? {} : environmentCredentials(env)),
    ...(opts.user !== undefined ? { user: opts.user, pass: opts.pass ?? opts.password } : {}),
    token: opts.token,
    ...(named ? { authenticator: authenticators(opts) } : {}),
    tls: opts.tls === true ? {} : opts.tls || undefined,
    reconnect: opts.reconnect ?? true,
    maxReconnectAttempts: opts.maxReconnectAttempts ?? -1,
    reconnectTimeWait: opts.reconnectTimeWait,
    reconnectJitter: opts.reconnectJitter,
    reconnectJitterTLS: opts.reconnectJitterTLS,
    reconnectDelayHandler: opts.reconnectDelayHandler,
    waitOnFirstConnect: opts.waitOnFirstConnect,
    timeout: opts.timeout,
    noRandomize: opts.noRandomize,
    verbose: opts.verbose,
    pedantic: opts.pedantic,
    pingInterval: opts.pingInterval ?? opts.stanPingInterval ?? 5_000,
    maxPingOut: opts.maxPingOut ?? opts.stanMaxPingOut ?? 3,
  });

  return {
    connection,
    nc: opts.nc,
    apiTimeout: opts.connectTimeout ?? 5_000,
    ackTimeout: opts.ackTimeout ?? 30_000,
    maxPubAcksInflight: opts.maxPubAcksInflight ?? 16_384,
    encoding: opts.stanEncoding ?? 'utf8',
    subjects: opts.subjects ?? [],
    unsupported: (['nkey', 'nonceSigner', 'userJWT'] as const).filter((key) => opts[key] !== undefined),
  };
}
