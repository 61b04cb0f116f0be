import { EventEmitter } from 'node:events';
import {
  JetStreamApiError,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { TimeoutError, type NatsConnection, type Subscription as NatsSubscription } from '@nats-io/transport-node';
import { planConsumer, type ConsumerPlan } from './consumer-plan';
import { BAD_SUBSCRIPTION, CONN_CLOSED, DUPLICATE_DURABLE, INVALID_SUBJECT } from './errors';
import { Message } from './message';
import { announce, ask, groupSubject } from './presence';
import type { StreamSubjects } from './stream';
import type { SubscriptionOptions } from './subscription-options';

const CONSUMER_NOT_FOUND = 10014;

/** @internal An open connection of a client, as its subscriptions use it. */
export interface Session {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: StreamSubjects;
}

/** @internal What a subscription needs from the client that made it. */
export interface SubscriptionHost {
  readonly clusterId: string;
  readonly clientId: string;
  readonly encoding: BufferEncoding | 'binary';
  readonly apiTimeout: number;
  /** Resolves once the client is connected; rejects when it never will be. */
  session(): Promise<Session>;
  /** True while the client's NATS connection is open. */
  isOpen(): boolean;
  /** Takes a per-client durable for this subscription; false when another subscription of the client holds it. */
  claimDurable(name: string): boolean;
  releaseDurable(name: string): void;
  /** Called once the subscription has ended. */
  ended(subscription: Subscription): void;
}

/** A STAN channel name: dot-separated tokens, no wildcards, no spaces. */
export function isValidSubject(subject: string): boolean {
  return subject.split('.').every((token) => token !== '' && token !== '*' && token !== '>' && !/\s/.test(token));
}

type Listener<A extends unknown[]> = (...args: A) => void;

/**
 * A subscription, made by `stan.subscribe(...)`. Emits `ready` once the server is set up,
 * `message` for each message, `error`, `timeout` (a set-up request timed out),
 * `unsubscribed` after `unsubscribe()` and `closed` after `close()`.
 */
export class Subscription extends EventEmitter {
  private state: 'starting' | 'active' | 'stopping' | 'closed' = 'starting';
  private started: Promise<Session | undefined> = Promise.resolve(undefined);
  private plan?: ConsumerPlan;
  private claimed?: string;
  private messages?: ConsumerMessages;
  private delivering?: Promise<void>;
  private presence?: NatsSubscription;
  /** Delivered and not yet acknowledged, by stream sequence: handed back when the subscription ends. */
  private readonly unacked = new Map<number, JsMsg>();
  private handedBack = false;
  private stopping?: Promise<void>;

  /** @internal */
  constructor(
    private readonly host: SubscriptionHost,
    readonly subject: string,
    readonly qGroup: string | undefined,
    readonly opts: SubscriptionOptions,
  ) {
    super();
  }

  override on(event: 'ready' | 'unsubscribed' | 'closed', listener: Listener<[]>): this;
  override on(event: 'message', listener: Listener<[Message]>): this;
  override on(event: 'error' | 'timeout', listener: Listener<[Error]>): this;
  override on(event: string | symbol, listener: Listener<never[]>): this;
  override on(event: string | symbol, listener: Listener<never[]>): this {
    return super.on(event, listener as Listener<unknown[]>);
  }

  override once(event: 'ready' | 'unsubscribed' | 'closed', listener: Listener<[]>): this;
  override once(event: 'message', listener: Listener<[Message]>): this;
  override once(event: 'error' | 'timeout', listener: Listener<[Error]>): this;
  override once(event: string | symbol, listener: Listener<never[]>): this;
  override once(event: string | symbol, listener: Listener<never[]>): this {
    return super.once(event, listener as Listener<unknown[]>);
  }

  /** True once the subscription has been closed or unsubscribed, or failed to start. */
  isClosed(): boolean {
    return this.state === 'stopping' || this.state === 'closed';
  }

  /** Ends the subscription and removes its interest: a durable's position is deleted. Emits `unsubscribed`. */
  unsubscribe(): void {
    this.end(true);
  }

  /** Ends the subscription but keeps a durable's position for a later subscription. Emits `closed`. */
  close(): void {
    this.end(false);
  }

  /** @internal Sets up the consumer and starts delivering. */
  start(): void {
    this.started = this.setUp();
  }

  /**
   * @internal Stops delivering. The consumer is deleted when `removeInterest` is set or the
   * subscription is not durable, unless other members of its queue group still read it.
   * Stopping again (the client closing meanwhile) waits for the first stop.
   */
  stop(removeInterest: boolean): Promise<void> {
    this.state = 'stopping';
    this.stopping ??= this.tearDown(removeInterest);
    return this.stopping;
  }

  private async tearDown(removeInterest: boolean): Promise<void> {
    const session = await this.started;
    try {
      await this.messages?.close();
      await this.delivering;
      this.handBack();
      if (!session || !this.plan) return;
      const { name, durable, shared } = this.plan;
      let remove = removeInterest || !durable;
      if (shared) {
        this.presence?.unsubscribe();
        if (remove) {
          await session.nc.flush();
          const subject = groupSubject(this.host.clusterId, name);
          remove = (await ask(session.nc, subject, this.host.apiTimeout)) === 'absent';
        }
      }
      if (remove) await this.deleteConsumer(session, name);
    } finally {
      this.finish();
    }
  }

  private end(removeInterest: boolean): void {
    if (this.isClosed()) {
      this.emitSoon('error', new Error(BAD_SUBSCRIPTION));
      return;
    }
    if (!this.host.isOpen()) {
      this.finish();
      this.emitSoon('error', new Error(CONN_CLOSED));
      return;
    }
    this.stop(removeInterest).then(
      () => this.emitSoon(removeInterest ? 'unsubscribed' : 'closed'),
      (error: unknown) => this.emitSoon('error', error),
    );
  }

  private async setUp(): Promise<Session | undefined> {
    try {
      if (!isValidSubject(this.subject)) throw new Error(INVALID_SUBJECT);
      const session = await this.host.session();
      const plan = planConsumer(this.host.clientId, this.subject, this.qGroup, this.opts);
      this.plan = plan;
      if (plan.durable && !plan.shared) {
        if (!this.host.claimDurable(plan.name)) throw new Error(DUPLICATE_DURABLE);
        this.claimed = plan.name;
      }
      await session.stream.ensure([this.subject]);
      await this.bindConsumer(session, plan);
      if (plan.shared) this.presence = announce(session.nc, groupSubject(this.host.clusterId, plan.name));
      if (this.state !== 'starting') return session;

      const consumer = await session.js.consumers.get(session.stream.name, plan.name);
      const messages = await consumer.consume({ max_messages: plan.pullBatch });
      this.messages = messages;
      if (this.state !== 'starting') return session;
      this.state = 'active';
      this.watch(messages);
      this.emitSoon('ready');
      this.delivering = this.deliver(messages);
      return session;
    } catch (error) {
      if (this.state === 'starting') {
        this.finish();
        if (error instanceof TimeoutError) {
          this.emitSoon('timeout', error);
        } else {
          this.emitSoon('error', error);
          this.emitSoon('unsubscribed');
        }
      }
      return undefined;
    }
  }

  /** Uses the plan's consumer if it exists (resuming a durable where it was), or creates it. */
  private async bindConsumer({ jsm, stream }: Session, plan: ConsumerPlan): Promise<void> {
    try {
      const { config } = await jsm.consumers.info(stream.name, plan.name);
      if (config.filter_subject !== this.subject) {
        throw new Error(
          `stan: consumer ${plan.name} of stream ${stream.name} reads ${config.filter_subject}, not ${this.subject}`,
        );
      }
      // As on the streaming server, a resumed durable keeps its position; its ack wait and
      // max in flight follow the newest subscriber.
      const { ack_wait, max_ack_pending } = plan.config;
      if (config.ack_wait !== ack_wait || config.max_ack_pending !== max_ack_pending) {
        await jsm.consumers.update(stream.name, plan.name, { ack_wait, max_ack_pending });
      }
      return;
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === CONSUMER_NOT_FOUND)) throw error;
    }
    try {
      await jsm.consumers.add(stream.name, plan.config);
    } catch (error) {
      // Another member of the queue group created it first: read from theirs.
      if (!(error instanceof JetStreamApiError)) throw error;
      await jsm.consumers.info(stream.name, plan.name).catch(() => Promise.reject(error));
    }
  }

  private async deliver(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const jsMsg of messages) {
        if (this.state !== 'active') {
          // Stopping: hand it back at once instead of after the ack wait.
          if (this.host.isOpen()) jsMsg.nak();
          continue;
        }
        this.unacked.set(jsMsg.seq, jsMsg);
        const msg = new Message(jsMsg, this.host.encoding, this.opts.manualAcks, (acked) => this.settle(acked));
        try {
          this.emit('message', msg);
          msg.maybeAutoAck();
        } catch (error) {
          // A throwing listener leaves the message unacknowledged, so it comes back after the ack wait.
          this.emitSoon('error', error);
        }
      }
    } catch (error) {
      if (this.state === 'active') this.emitSoon('error', error);
    }
  }

  /** Marks a message acknowledged; false once the subscription has handed its messages back. */
  private settle(msg: JsMsg): boolean {
    if (this.handedBack || !this.host.isOpen()) return false;
    this.unacked.delete(msg.seq);
    return true;
  }

  /**
   * Gives back the messages delivered but not acknowledged, so they go to another member
   * (or to this durable's next subscription) at once, as the streaming server redelivered
   * a leaving subscriber's messages, rather than after the ack wait.
   */
  private handBack(): void {
    this.handedBack = true;
    if (this.host.isOpen()) for (const msg of this.unacked.values()) msg.nak();
    this.unacked.clear();
  }

  private watch(messages: ConsumerMessages): void {
    void (async () => {
      for await (const status of messages.status()) {
        if (this.state !== 'active') continue;
        const gone = status.type === 'consumer_deleted' || (status.type === 'consumer_not_found' && status.count === 1);
        if (gone) this.emitSoon('error', new Error(`stan: consumer ${this.plan?.name} was deleted from the stream`));
      }
    })().catch(() => undefined);
  }

  private async deleteConsumer({ jsm, stream }: Session, name: string): Promise<void> {
    try {
      await jsm.consumers.delete(stream.name, name);
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === CONSUMER_NOT_FOUND)) throw error;
    }
  }

  private finish(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.claimed) this.host.releaseDurable(this.claimed);
    this.claimed = undefined;
    this.host.ended(this);
  }

  /**
   * Emits on the next tick, outside any promise: an `error` nobody listens to is thrown as an
   * uncaught exception, as node-nats-streaming's was, and a throwing listener cannot be
   * mistaken for a failure of the subscription.
   */
  private emitSoon(event: string, ...args: unknown[]): void {
    process.nextTick(() => this.emit(event, ...args));
  }
}
