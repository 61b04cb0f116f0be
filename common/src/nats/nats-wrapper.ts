import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, nkeyAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { stopListeners } from '../events/listener';
import { createLogger } from '../logger/logger';
import { isRefusal } from './permission-errors';
import { ensureStream } from './stream';

/** Where the connection stands, as `/readyz` reports it. */
export type NatsState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Tuning of a connection; the defaults suit a service. */
export interface NatsConnectOptions {
  /** Milliseconds between reconnect attempts. */
  reconnectTimeWait?: number;
  /** Milliseconds between client pings (the NATS Streaming heartbeat interval). */
  pingInterval?: number;
  /** Pings without an answer before the connection counts as stale. */
  maxPingOut?: number;
  /** Keep trying until the server is first reachable (services); false fails at once (command-line tools). */
  waitOnFirstConnect?: boolean;
  /** Copies of the stream when this connection creates it: 3 on a JetStream cluster. */
  streamReplicas?: number;
  /** Who this connection is: an nkey seed, or a user and password; none: it connects without. */
  credentials?: NatsCredentials;
  /**
   * The prefix of its reply subjects (`_INBOX` by default): a service's user may subscribe to
   * its own inbox only (see common/lib/bus-permissions.cjs).
   */
  inboxPrefix?: string;
  /**
   * How long `connect` keeps trying to set up the stream (every `reconnectTimeWait`), e.g.
   * while a cluster is still gathering the peers to place it on: no new attempt starts after
   * it, though one in progress may run past it by its own request timeouts. 60 s.
   */
  streamSetupTimeoutMs?: number;
  logger?: Logger;
}

/** A connection's credential on a server with authorization on. */
export type NatsCredentials = { seed: string } | { user: string; pass: string };

/**
 * Holds a service's one NATS connection, as the reference design's `natsWrapper` does.
 * `connect(clusterId, clientId, url)` connects under the name `clientId` to the server (or
 * the comma-separated servers of a cluster) at `url` (retrying until
 * the server is reachable, and reconnecting for ever after), then makes sure the stream
 * `clusterId` captures every subject. `close()` stops listeners, drains and closes.
 */
export class NatsWrapper {
  private _client?: NatsConnection;
  private _jetstream?: JetStreamClient;
  private _state: NatsState = 'idle';
  private _streamName?: string;
  private streamReplicas = 1;
  private logger: Logger = createLogger('nats');
  private closing?: Promise<void>;
  private pending?: NatsConnection;
  private _manager?: Promise<JetStreamManager>;

  /** The connection; throws before `connect()` has finished. */
  get client(): NatsConnection {
    if (!this._client) throw new Error('Cannot access NATS client before connecting');
    return this._client;
  }

  /** A JetStream handle on the connection; throws before `connect()` has finished. */
  get jetstream(): JetStreamClient {
    if (!this._jetstream) throw new Error('Cannot access NATS client before connecting');
    return this._jetstream;
  }

  /** The stream every event goes to (`NATS_STREAM`), once `connect()` was called. */
  get streamName(): string | undefined {
    return this._streamName;
  }

  /** A JetStream manager on the connection, made once; rejects before `connect()` has finished. */
  manager(): Promise<JetStreamManager> {
    if (!this._client) return Promise.reject(new Error('Cannot access NATS client before connecting'));
    this._manager ??= jetstreamManager(this._client, { checkAPI: false });
    return this._manager;
  }

  get state(): NatsState {
    return this._state;
  }

  /** True while the connection is up and the stream is known to exist. */
  get isConnected(): boolean {
    return this._state === 'connected';
  }

  async connect(clusterId: string, clientId: string, url: string, options: NatsConnectOptions = {}): Promise<void> {
    if (this._client || this._state === 'connecting') throw new Error('NATS client is already connected or connecting');
    if (this.closing) throw new Error('NATS client was closed');
    if (options.logger) this.logger = options.logger;
    this._state = 'connecting';
    this._streamName = clusterId;
    this.streamReplicas = options.streamReplicas ?? 1;
    // One server, or several separated by commas (a cluster), as the nats CLI takes them.
    const servers = url.split(',').map((server) => server.trim());
    this.logger.info({ servers, clientId, stream: clusterId }, 'connecting to NATS');

    const credentials = options.credentials;
    const nc = await connect({
      servers,
      name: clientId,
      ...(credentials && 'seed' in credentials
        ? { authenticator: nkeyAuthenticator(new TextEncoder().encode(credentials.seed)) }
        : credentials),
      ...(options.inboxPrefix ? { inboxPrefix: options.inboxPrefix } : {}),
      waitOnFirstConnect: options.waitOnFirstConnect ?? true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: options.reconnectTimeWait ?? 1_000,
      pingInterval: options.pingInterval ?? 5_000,
      maxPingOut: options.maxPingOut ?? 2,
    });
    // close() may come while the stream is being set up: it closes this connection.
    this.pending = nc;
    try {
      if (this.closing) throw new Error('NATS client was closed while connecting');
      this.watchStatus(nc);
      await this.ensureStreamWithRetry(
        nc,
        clusterId,
        options.reconnectTimeWait ?? 1_000,
        options.streamSetupTimeoutMs ?? 60_000,
      );
      if (this.closing) throw new Error('NATS client was closed while connecting');
    } catch (error) {
      this.pending = undefined;
      if (!this.closing) this._state = 'idle';
      if (!nc.isClosed()) await nc.close();
      throw error;
    }
    this.pending = undefined;
    this._client = nc;
    this._jetstream = jetstream(nc);
    this._state = 'connected';
    this.logger.info({ server: nc.getServer(), stream: clusterId }, 'connected to NATS');
  }

  private async ensureStreamWithRetry(
    nc: NatsConnection,
    name: string,
    waitMs: number,
    timeoutMs: number,
  ): Promise<void> {
    // A time budget, not a number of attempts: how long a cluster takes to gather its
    // peers does not depend on how often this asks.
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await ensureStream(nc, name, { replicas: this.streamReplicas });
        return;
      } catch (error) {
        if (nc.isClosed() || this.closing || Date.now() + waitMs > deadline) throw error;
        this.logger.warn(
          { err: error, stream: name, attempt },
          isRefusal(error)
            ? 'the stream is missing or lacks subjects, and this service may not change it: waiting for it to be set up (by the local runner, or the setup Job)'
            : 'cannot set up the stream yet; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }

  private watchStatus(nc: NatsConnection): void {
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect') {
          if (this._state === 'connected') this._state = 'reconnecting';
          this.logger.warn({ server: status.server }, 'disconnected from NATS; reconnecting');
        } else if (status.type === 'reconnect') {
          if (this._client) this._state = 'connected';
          this.logger.info({ server: status.server }, 'reconnected to NATS');
          // A server that came back without its store has no stream until someone makes it.
          this.ensureStream().catch((error: unknown) =>
            this.logger.warn({ err: error }, 'cannot check the stream after reconnecting'),
          );
        } else if (status.type === 'error') {
          this.logger.warn({ err: status.error }, 'NATS connection error');
        }
      }
    })();
  }

  /**
   * Makes sure the stream exists with every subject again, e.g. after the server lost its
   * store; publishers call it when a publish finds no stream. Safe to call at any time.
   */
  async ensureStream(): Promise<void> {
    if (!this._client || !this._streamName) return;
    await ensureStream(this._client, this._streamName, { replicas: this.streamReplicas });
  }

  /** Stops listeners (letting in-flight handlers finish), drains and closes. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const nc = this._client ?? this.pending;
      this._state = 'closed';
      if (!nc || nc.isClosed()) return;
      await stopListeners(nc);
      try {
        await nc.drain();
      } catch (error) {
        this.logger.warn({ err: error }, 'NATS drain failed; closing');
        await nc.close();
      }
      this.logger.info('NATS connection closed');
    })();
    return this.closing;
  }
}

/** The process-wide connection, shared by a service's publishers and listeners. */
export const natsWrapper = new NatsWrapper();
