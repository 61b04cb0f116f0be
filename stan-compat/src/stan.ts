import { EventEmitter } from 'node:events';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  connect as natsConnect,
  nuid,
  PermissionViolationError,
  TimeoutError,
  type NatsConnection,
  type Subscription as NatsSubscription,
} from '@nats-io/transport-node';
import {
  ACK_TIMEOUT,
  BAD_CLIENT_ID,
  BAD_CLUSTER_ID,
  BAD_SUBJECT,
  CLIENT_ID_TAKEN,
  CONN_CLOSED,
  INVALID_CLIENT_ID,
  INVALID_SUBJECT,
  MAX_FLIGHT_LIMIT_REACHED,
} from './errors';
import { resolveOptions, type ResolvedOptions, type StanOptions } from './options';
import { announce, ask, clientSubject } from './presence';
import { isNoStreamError, StreamSubjects } from './stream';
import { isValidSubject, Subscription, type Session, type SubscriptionHost } from './subscription';
import { SubscriptionOptions } from './subscription-options';

/** Called once a publish is stored (`err` undefined) or has failed; `guid` is the message's `Nats-Msg-Id`. */
export type AckHandlerCallback = (err: Error | undefined, guid: string) => void;

type Listener<A extends unknown[]> = (...args: A) => void;

const CLIENT_ID = /^[A-Za-z0-9_-]+$/;
const BAD_STREAM_NAME = /[.*>/\\\s]/;

/**
 * A client of the streaming API, made by `connect(clusterId, clientId, opts)`. It connects
 * at once and emits `connect` (with itself) when ready, `error` when it cannot connect,
 * `disconnect`, `reconnecting` and `reconnect` as the NATS connection comes and goes,
 * `connection_lost` when the connection closes for good on its own, `permission_error`,
 * and `close` once closed.
 */
export class Stan extends EventEmitter {
  private readonly options: ResolvedOptions;
  private readonly connected: Promise<Session>;
  private state: 'connecting' | 'connected' | 'closing' | 'closed' = 'connecting';
  private nc?: NatsConnection;
  private session?: Session;
  private presence?: NatsSubscription;
  private readonly subscriptions = new Set<Subscription>();
  private readonly durables = new Set<string>();
  private readonly pendingAcks = new Set<Promise<void>>();
  /** Publishes per subject still waiting for the stream to capture it, kept in call order. */
  private readonly waiting = new Map<string, Promise<void>>();
  private readonly host: SubscriptionHost;

  constructor(
    readonly clusterID: string,
    readonly clientID: string,
    opts?: StanOptions | string | number,
  ) {
    super();
    if (!clusterID) throw new Error(BAD_CLUSTER_ID);
    if (!clientID) throw new Error(BAD_CLIENT_ID);
    this.options = resolveOptions(clientID, opts);
    this.host = {
      clusterId: clusterID,
      clientId: clientID,
      encoding: this.options.encoding,
      apiTimeout: this.options.apiTimeout,
      session: () => this.connected,
      isOpen: () => this.nc !== undefined && !this.nc.isClosed(),
      claimDurable: (name) => !this.durables.has(name) && Boolean(this.durables.add(name)),
      releaseDurable: (name) => void this.durables.delete(name),
      ended: (subscription) => void this.subscriptions.delete(subscription),
    };
    this.connected = this.open();
    // A failed connect is reported through the `error` event; publishes and subscriptions
    // waiting for it fail on their own.
    this.connected.catch(() => undefined);
  }

  override on(event: 'connect' | 'reconnect', listener: Listener<[Stan]>): this;
  override on(event: 'close', listener: Listener<[(Error | null)?]>): this;
  override on(event: 'error' | 'connection_lost' | 'permission_error', listener: Listener<[Error]>): this;
  override on(event: 'disconnect' | 'reconnecting', listener: Listener<[]>): this;
  override on(event: string | symbol, listener: Listener<never[]>): this;
  override on(event: string | symbol, listener: Listener<never[]>): this {
    return super.on(event, listener as Listener<unknown[]>);
  }

  override once(event: 'connect' | 'reconnect', listener: Listener<[Stan]>): this;
  override once(event: 'close', listener: Listener<[(Error | null)?]>): this;
  override once(event: 'error' | 'connection_lost' | 'permission_error', listener: Listener<[Error]>): this;
  override once(event: 'disconnect' | 'reconnecting', listener: Listener<[]>): this;
  override once(event: string | symbol, listener: Listener<never[]>): this;
  override once(event: string | symbol, listener: Listener<never[]>): this {
    return super.once(event, listener as Listener<unknown[]>);
  }

  /** True once `close()` was called or the connection closed for good. */
  isClosed(): boolean {
    return this.state === 'closing' || this.state === 'closed';
  }

  /** Returns subscription options with node-nats-streaming's defaults. */
  subscriptionOptions(): SubscriptionOptions {
    return new SubscriptionOptions();
  }

  /**
   * Publishes `data` on `subject` into the stream and calls `callback(err, guid)` once the
   * server has stored it. Returns the guid at once; it is sent as `Nats-Msg-Id`. Publishes
   * made before `connect` wait for it. Without a callback a failure goes unreported, as in
   * node-nats-streaming.
   */
  publish(subject: string, data?: Uint8Array | string | Buffer, callback?: AckHandlerCallback): string {
    const guid = nuid.next();
    const refuse = (message: string): string => {
      if (typeof callback !== 'function') throw new Error(message);
      callback(new Error(message), guid);
      return guid;
    };
    if (this.isClosed()) return refuse(CONN_CLOSED);
    if (typeof subject !== 'string' || subject.length === 0) return refuse(BAD_SUBJECT);
    if (!isValidSubject(subject)) return refuse(INVALID_SUBJECT);
    if (this.pendingAcks.size >= this.options.maxPubAcksInflight) return refuse(MAX_FLIGHT_LIMIT_REACHED);

    const payload = data === undefined ? new Uint8Array(0) : typeof data === 'string' ? data : Uint8Array.from(data);
    let settle!: () => void;
    const pending = new Promise<void>((resolve) => (settle = resolve));
    this.pendingAcks.add(pending);
    const done = (error?: Error) => {
      this.pendingAcks.delete(pending);
      settle();
      callback?.(error, guid);
    };
    this.whenCaptured(subject, (session, error) => {
      if (!session) return done(error);
      this.store(session, subject, payload, guid, true).then(() => done(), done);
    });
    return guid;
  }

  /**
   * Subscribes to `subject`, as a member of `qGroup` when given. Returns the subscription at
   * once; it emits `ready` when messages can flow.
   */
  subscribe(subject: string, opts?: SubscriptionOptions): Subscription;
  subscribe(subject: string, qGroup: string, opts?: SubscriptionOptions): Subscription;
  subscribe(subject: string, qGroup?: string | SubscriptionOptions, opts?: SubscriptionOptions): Subscription {
    const group = typeof qGroup === 'string' && qGroup.length > 0 ? qGroup : undefined;
    const options = (typeof qGroup === 'object' ? qGroup : opts) ?? new SubscriptionOptions();
    const subscription = new Subscription(this.host, subject, group, options);
    if (typeof subject !== 'string' || subject.length === 0) {
      process.nextTick(() => subscription.emit('error', new Error(BAD_SUBJECT)));
      return subscription;
    }
    if (this.isClosed()) {
      process.nextTick(() => subscription.emit('error', new Error(CONN_CLOSED)));
      return subscription;
    }
    this.subscriptions.add(subscription);
    subscription.start();
    return subscription;
  }

  /**
   * Closes the client: publishes already sent get their acknowledgement, subscriptions stop
   * (durables keep their position, the others are removed), then the NATS connection drains
   * and `close` is emitted. Does nothing when already closed.
   */
  close(): void {
    if (this.isClosed()) return;
    this.state = 'closing';
    this.shutdown().then(
      () => this.emitSoon('close'),
      (error: unknown) => this.emitSoon('close', error),
    );
  }

  private async open(): Promise<Session> {
    let nc: NatsConnection | undefined;
    try {
      if (BAD_STREAM_NAME.test(this.clusterID)) throw new Error(`stan: invalid cluster ID: ${this.clusterID}`);
      if (!CLIENT_ID.test(this.clientID)) throw new Error(INVALID_CLIENT_ID);
      if (this.options.unsupported.length > 0) {
        throw new Error(`stan: unsupported options: ${this.options.unsupported.join(', ')} (use userCreds)`);
      }
      nc = this.options.nc ?? (await natsConnect(this.options.connection));
      this.nc = nc;
      if (this.isClosed()) throw new Error(CONN_CLOSED);
      this.watch(nc);

      // The streaming server refused a second client with a live client's id; so do we.
      const presence = clientSubject(this.clusterID, this.clientID);
      if ((await ask(nc, presence, this.options.apiTimeout)) === 'present') throw new Error(CLIENT_ID_TAKEN);
      this.presence = announce(nc, presence);

      const jsm = await jetstreamManager(nc, { timeout: this.options.apiTimeout });
      const stream = new StreamSubjects(jsm, this.clusterID);
      if (this.options.subjects.length > 0) await stream.ensure(this.options.subjects);
      if (this.isClosed()) throw new Error(CONN_CLOSED);

      this.session = { nc, js: jsm.jetstream(), jsm, stream };
      this.state = 'connected';
      this.emitSoon('connect', this);
      return this.session;
    } catch (error) {
      // close() during connect reports through its own `close` event.
      const report = !this.isClosed();
      this.state = 'closed';
      this.presence?.unsubscribe();
      if (nc && !this.options.nc && !nc.isClosed()) await nc.close();
      if (report) {
        this.emitSoon('error', error);
        this.emitSoon('close');
      }
      throw error;
    }
  }

  private watch(nc: NatsConnection): void {
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect') this.emitSoon('disconnect');
        else if (status.type === 'reconnecting') this.emitSoon('reconnecting');
        else if (status.type === 'reconnect') this.emitSoon('reconnect', this);
        else if (status.type === 'error') {
          // node-nats-streaming reported these too, but an unheard `error` would crash the
          // process for a fault the connection survives.
          const event = status.error instanceof PermissionViolationError ? 'permission_error' : 'error';
          if (this.listenerCount(event) > 0) this.emitSoon(event, status.error);
        }
      }
    })().catch(() => undefined);
    void nc.closed().then((error) => {
      if (this.isClosed()) return;
      this.state = 'closed';
      for (const subscription of this.subscriptions) void subscription.stop(false).catch(() => undefined);
      if (error) this.emitSoon('connection_lost', error);
      this.emitSoon('close');
    });
  }

  /**
   * Runs `send` once the client is connected and the stream captures `subject`. Calls for one
   * subject run in call order, so its messages are stored in the order they were published.
   */
  private whenCaptured(subject: string, send: (session?: Session, error?: Error) => void): void {
    const queued = this.waiting.get(subject);
    if (!queued && this.state === 'connected' && this.session?.stream.has(subject)) {
      send(this.session);
      return;
    }
    const ready = this.connected.then(async (session) => {
      await session.stream.ensure([subject]);
      return session;
    });
    const next = (queued ?? Promise.resolve())
      .then(() => ready)
      .then(
        (session) => send(session),
        (error: unknown) => send(undefined, toError(error)),
      );
    this.waiting.set(subject, next);
    void next.then(() => {
      if (this.waiting.get(subject) === next) this.waiting.delete(subject);
    });
  }

  /** Publishes one message; when the stream has vanished (a server that lost its store), makes it again once. */
  private async store(
    session: Session,
    subject: string,
    payload: Uint8Array | string,
    guid: string,
    retry: boolean,
  ): Promise<void> {
    try {
      await session.js.publish(subject, payload, { msgID: guid, timeout: this.options.ackTimeout });
    } catch (error) {
      if (retry && isNoStreamError(error)) {
        session.stream.forget();
        await session.stream.ensure([subject]);
        return this.store(session, subject, payload, guid, false);
      }
      if (error instanceof TimeoutError) throw new Error(ACK_TIMEOUT, { cause: error });
      throw error;
    }
  }

  private async shutdown(): Promise<void> {
    try {
      // Still reaching the server: open() closes the connection as soon as it has one.
      if (!this.nc) return;
      const session = await this.connected.catch(() => undefined);
      if (!session) return;
      await Promise.all(this.pendingAcks);
      await Promise.all([...this.subscriptions].map((subscription) => subscription.stop(false).catch(() => undefined)));
      this.presence?.unsubscribe();
      if (!this.options.nc) await session.nc.drain().catch(() => session.nc.close());
    } finally {
      this.state = 'closed';
    }
  }

  /**
   * Emits on the next tick, outside any promise: an `error` nobody listens to is thrown as an
   * uncaught exception, as node-nats-streaming's was, and a throwing listener cannot break
   * the client's own bookkeeping.
   */
  private emitSoon(event: string, ...args: unknown[]): void {
    process.nextTick(() => this.emit(event, ...args));
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Connects to the server and returns the client at once; it emits `connect` when ready (see `Stan`). */
export function connect(clusterID: string, clientID: string, opts?: StanOptions | string | number): Stan {
  return new Stan(clusterID, clientID, opts);
}
