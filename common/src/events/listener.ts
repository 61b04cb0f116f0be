import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { createLogger } from '../logger/logger';
import {
  contextFromCarrier,
  failSpan,
  inSpan,
  isTracing,
  messagingAttributes,
  SpanKind,
  type Span,
  type SpanSpec,
} from '../telemetry/trace';
import { isRefusal } from '../nats/permission-errors';
import { ContractViolationError, parseEventData, type Event } from './event-contracts';
import { awaitKey, isTransientFailure, PermanentEventError, RetryLaterError } from './handler-errors';

/** What a handler may know about the message it handles (never the means to ack it). */
export interface MessageContext {
  subject: string;
  /** The stream sequence. */
  seq: number;
  /** The event's id (`Nats-Msg-Id`); `<stream>:<seq>` for a message published without one. */
  msgId: string;
  /** 1 on the first delivery. */
  deliveryCount: number;
  /** When the stream stored the message. */
  timestamp: Date;
}

/** A message held back until its entity's previous version has been applied. */
interface Held<D> {
  msg: JsMsg;
  data: D;
  context: MessageContext;
  since: number;
}

/** What became of one delivery, as `listener.events` reports it (`'outcome'`). */
export interface ListenerOutcome {
  outcome: 'ack' | 'nak' | 'term';
  subject: string;
  seq: number;
  msgId: string;
  deliveryCount: number;
  /** Why it was not acked. */
  reason?: string;
  /** For a nak: when it comes back. */
  delayMs?: number;
}

/** How long one run of the handler took, as `listener.events` reports it (`'handled'`). */
export interface ListenerRun {
  subject: string;
  /** Seconds the handler ran. */
  durationSeconds: number;
  /** Whether it resolved. */
  ok: boolean;
}

/** How long `close()` waits for the server to confirm it read the unsubscribe. */
const CLOSE_FLUSH_MS = 2_000;

const activeListeners = new Map<NatsConnection, Set<Listener<Event>>>();

/** Stops every listener on a connection and waits for their in-flight handlers (used before a drain). */
export async function stopListeners(client: NatsConnection): Promise<void> {
  const listeners = [...(activeListeners.get(client) ?? [])];
  await Promise.all(listeners.map((listener) => listener.close()));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Receives one subject through a durable pull consumer named `<queueGroupName>-<subject>`
 * (explicit ack, deliver all). Every instance of a service pulls from the same consumer in
 * small batches, so each message goes to one instance and all instances get work.
 *
 * Bodies are checked against the subject's contract before `onMessage` runs. The base
 * class settles every message: `onMessage` resolved → ack; threw a `RetryLaterError` →
 * redelivered soon (200 ms, growing); a passing failure (database away) → redelivered with
 * a backoff for as long as it lasts; any other failure → redelivered with a backoff, and
 * terminated after `maxDeliver` deliveries; a body that breaks the contract, or a
 * `PermanentEventError` → terminated at once. A terminated message is logged at error level
 * and counted (`terminated`), and never blocks the messages behind it.
 */
export abstract class Listener<T extends Event> {
  abstract readonly subject: T['subject'];
  abstract readonly queueGroupName: string;
  /** Milliseconds a message may stay unacknowledged (a crashed instance's) before it is delivered again. */
  readonly ackWait: number = 5_000;
  /** Deliveries of a failing message before it is terminated (passing failures excepted). */
  readonly maxDeliver: number = 5;
  /** Milliseconds before the first redelivery of a failed message; doubles each time, up to 30 s. */
  readonly retryDelayMs: number = 1_000;
  /** Deliveries of a message that keeps coming too early before it is terminated. */
  readonly maxEarlyDeliveries: number = 60;
  /** How many messages one instance holds at a time; small, so instances share work. */
  readonly batchSize: number = 5;
  /** Milliseconds an early message waits here for its entity's previous version before it is redelivered instead. */
  readonly holdEarlyMs: number = 1_000;

  /** Handles one message's validated data; resolve when it has taken effect. */
  abstract onMessage(data: T['data'], context: MessageContext): Promise<void>;

  /**
   * Emits `'delivered'` for every delivery received, `'outcome'` with a `ListenerOutcome`
   * for every delivery settled, and `'handled'` with a `ListenerRun` for every run of the handler.
   */
  readonly events = new EventEmitter();
  protected readonly logger: Logger;
  private messages?: ConsumerMessages;
  private stream?: string;
  private jsm?: JetStreamManager;
  private loop?: Promise<void>;
  private closed = false;
  private terminatedCount = 0;
  /** Early messages waiting for a message about their entity (by key) to succeed here. */
  private readonly waiting = new Map<string, Held<T['data']>[]>();
  private waitingTimer?: NodeJS.Timeout;

  constructor(
    protected readonly client: NatsConnection,
    logger?: Logger,
  ) {
    this.logger = logger ?? createLogger('listener');
  }

  /** The durable consumer's name, shared by every instance of the queue group. */
  get durableName(): string {
    return `${this.queueGroupName}-${this.subject}`;
  }

  /** Messages terminated by this instance since it started. */
  get terminated(): number {
    return this.terminatedCount;
  }

  /** Creates or updates the durable consumer, then handles messages in the background until `close()`. */
  async listen(): Promise<void> {
    const jsm = await jetstreamManager(this.client);
    const stream = await jsm.streams.find(this.subject);
    const config = {
      durable_name: this.durableName,
      filter_subject: this.subject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(this.ackWait),
    };
    // On a bus with authorization the setup user makes the consumer, and a service's user may
    // not: what it cannot make or change it uses as it is, or waits for (the caller retries).
    try {
      const info = await jsm.consumers.info(stream, this.durableName);
      if (info.config.ack_wait !== config.ack_wait || info.config.filter_subject !== config.filter_subject) {
        await jsm.consumers
          .update(stream, this.durableName, { ack_wait: config.ack_wait, filter_subject: config.filter_subject })
          .catch((error: unknown) => {
            if (!isRefusal(error)) throw error;
            this.logger.warn(
              { durable: this.durableName, ackWaitMs: this.ackWait, theirs: info.config },
              'the consumer is set up otherwise than this listener asks, and it may not change it: using it as it is',
            );
          });
      }
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)) throw error;
      await jsm.consumers.add(stream, config).catch((refused: unknown) => {
        if (!isRefusal(refused)) throw refused;
        throw new Error(
          `the consumer ${this.durableName} does not exist yet, and this service may not make it: the user that sets the stream up does (the local runner, the setup Job)`,
          { cause: refused },
        );
      });
    }

    this.stream = stream;
    this.jsm = jsm;
    const consumer = await jetstream(this.client).consumers.get(stream, this.durableName);
    // Short pulls (with heartbeats at half of it): after a server or stream leader goes away,
    // a pull the cluster lost is noticed and renewed within seconds, not after the default 30 s.
    this.messages = await consumer.consume({ max_messages: this.batchSize, expires: 5_000 });
    let listeners = activeListeners.get(this.client);
    if (!listeners) activeListeners.set(this.client, (listeners = new Set()));
    listeners.add(this as Listener<Event>);
    this.logger.info({ subject: this.subject, durable: this.durableName, stream }, 'listening');

    const messages = this.messages;
    this.loop = (async () => {
      for await (const msg of messages) {
        await this.receive(msg);
        if (this.closed) break;
      }
      // Only close() or the connection closing ends the pull; anything else is said.
      if (!this.closed && !this.client.isClosed()) {
        this.logger.error({ subject: this.subject, durable: this.durableName }, 'listener stopped: its pull ended');
      }
    })().catch((error: unknown) => {
      this.logger.error({ err: error, subject: this.subject, durable: this.durableName }, 'listener stopped');
    });
  }

  /**
   * What waits in this listener's consumer: messages not yet given to any instance
   * (`pending`) and given but not yet acknowledged (`ackPending`). Throws before `listen()`.
   */
  async backlog(): Promise<{ pending: number; ackPending: number }> {
    if (!this.stream || !this.jsm) throw new Error(`${this.durableName} is not listening`);
    const info = await this.jsm.consumers.info(this.stream, this.durableName);
    return { pending: info.num_pending, ackPending: info.num_ack_pending };
  }

  private async receive(msg: JsMsg): Promise<void> {
    this.events.emit('delivered', { subject: msg.subject });
    const context: MessageContext = {
      subject: msg.subject,
      seq: msg.seq,
      msgId: msg.headers?.get('Nats-Msg-Id') || `${msg.info.stream}:${msg.seq}`,
      deliveryCount: msg.info.deliveryCount,
      timestamp: msg.time,
    };
    let data: T['data'];
    try {
      data = parseEventData(this.subject, msg.json());
    } catch (error) {
      const reason =
        error instanceof ContractViolationError
          ? `body breaks the contract: ${error.issues.join('; ')}`
          : `body is not JSON: ${messageOf(error)}`;
      this.terminate(msg, context, reason, error);
      return;
    }
    await this.run({ msg, data, context, since: Date.now() });
  }

  /**
   * Runs the handler and settles the message, then what waited for its entity. With tracing
   * on, both happen in a span continuing the trace the message carries (a child of its
   * publish, so a saga is one trace; a redelivery is another child of the same publish), so
   * what the handler and the settling log carries the trace's id.
   */
  private async run(held: Held<T['data']>): Promise<void> {
    const next = await (isTracing()
      ? inSpan(`process ${held.context.subject}`, this.spanSpec(held), (span) => this.settle(held, span))
      : this.settle(held));
    // Each in a span of its own, parented by its own message.
    for (const waiter of next) await this.run(waiter);
  }

  /** Runs the handler and settles the message; resolves with the held messages its success lets go. */
  private async settle(held: Held<T['data']>, span?: Span): Promise<Held<T['data']>[]> {
    const { msg, data, context } = held;
    const started = performance.now();
    const handled = (ok: boolean) =>
      this.events.emit('handled', {
        subject: context.subject,
        durationSeconds: (performance.now() - started) / 1_000,
        ok,
      } satisfies ListenerRun);
    try {
      await this.onMessage(data, context);
    } catch (error) {
      handled(false);
      if (span) failSpan(span, error);
      if (error instanceof RetryLaterError && error.key !== undefined && this.hold(error.key, held)) return [];
      this.settleFailure(msg, context, error);
      return [];
    }
    handled(true);
    msg.ack();
    this.report({ outcome: 'ack', ...this.ids(context) });
    // What this message was (entity and version) is what a held message may be waiting for.
    const { id, version } = data as { id?: unknown; version?: unknown };
    if (typeof id !== 'string' || typeof version !== 'number') return [];
    const key = awaitKey(id, version);
    const next = this.waiting.get(key) ?? [];
    this.waiting.delete(key);
    return next;
  }

  /** The span of handling a delivery: its parent is the publish the message's `traceparent` names. */
  private spanSpec({ msg, context }: Held<T['data']>): SpanSpec {
    const traceparent = msg.headers?.get('traceparent');
    const tracestate = msg.headers?.get('tracestate');
    return {
      kind: SpanKind.CONSUMER,
      parent: contextFromCarrier(traceparent ? { traceparent, ...(tracestate ? { tracestate } : {}) } : undefined),
      attributes: messagingAttributes('process', context.subject, context.msgId, {
        'messaging.consumer.group.name': this.durableName,
        'messaging.nats.message.delivery_count': context.deliveryCount,
        'messaging.nats.stream.sequence': context.seq,
      }),
    };
  }

  /** Keeps an early message here until its entity moves on; false when it has waited long enough. */
  private hold(key: string, held: Held<T['data']>): boolean {
    if (this.closed || Date.now() - held.since >= this.holdEarlyMs) return false;
    const list = this.waiting.get(key) ?? [];
    list.push(held);
    this.waiting.set(key, list);
    this.waitingTimer ??= setInterval(() => this.releaseStale(), Math.max(50, this.holdEarlyMs / 4));
    this.waitingTimer.unref();
    return true;
  }

  /** Redelivers (by nak) the early messages that waited here too long: another instance may hold their predecessor. */
  private releaseStale(force = false): void {
    const now = Date.now();
    for (const [key, list] of this.waiting) {
      const keep = list.filter((held) => !force && now - held.since < this.holdEarlyMs);
      for (const held of list) {
        if (keep.includes(held)) continue;
        this.settleFailure(held.msg, held.context, new RetryLaterError(`waited ${now - held.since} ms for ${key}`));
      }
      if (keep.length > 0) this.waiting.set(key, keep);
      else this.waiting.delete(key);
    }
    if (this.waiting.size === 0) {
      clearInterval(this.waitingTimer);
      this.waitingTimer = undefined;
    }
  }

  private settleFailure(msg: JsMsg, context: MessageContext, error: unknown): void {
    const { deliveryCount } = context;
    if (error instanceof PermanentEventError) return this.terminate(msg, context, messageOf(error), error);
    if (error instanceof RetryLaterError) {
      if (deliveryCount >= this.maxEarlyDeliveries) {
        return this.terminate(msg, context, `still too early after ${deliveryCount} deliveries: ${messageOf(error)}`);
      }
      // 200 ms, doubling, at most 5 s: the gap is usually a sibling's message in flight.
      return this.retry(msg, context, Math.min(200 * 2 ** (deliveryCount - 1), 5_000), messageOf(error), 'debug');
    }
    const transient = isTransientFailure(error);
    if (!transient && deliveryCount >= this.maxDeliver) {
      return this.terminate(msg, context, `handler failed ${deliveryCount} times: ${messageOf(error)}`, error);
    }
    const delay = Math.min(this.retryDelayMs * 2 ** (deliveryCount - 1), 30_000);
    this.logger.warn(
      { err: error, subject: context.subject, seq: context.seq, deliveryCount, retryInMs: delay },
      transient ? 'event handler hit a passing failure; retrying' : 'event handler failed; retrying',
    );
    this.retry(msg, context, delay, messageOf(error));
  }

  private retry(msg: JsMsg, context: MessageContext, delayMs: number, reason: string, level?: 'debug'): void {
    msg.nak(delayMs);
    if (level) this.logger.debug({ subject: context.subject, seq: context.seq, delayMs, reason }, 'event deferred');
    this.report({ outcome: 'nak', ...this.ids(context), reason, delayMs });
  }

  private terminate(msg: JsMsg, context: MessageContext, reason: string, error?: unknown): void {
    msg.term();
    this.terminatedCount++;
    this.logger.error(
      {
        err: error,
        subject: context.subject,
        seq: context.seq,
        msgId: context.msgId,
        durable: this.durableName,
        reason,
      },
      'event terminated: it will not be delivered again',
    );
    this.report({ outcome: 'term', ...this.ids(context), reason });
  }

  private ids({ subject, seq, msgId, deliveryCount }: MessageContext) {
    return { subject, seq, msgId, deliveryCount };
  }

  private report(outcome: ListenerOutcome): void {
    this.events.emit('outcome', outcome);
  }

  /** Stops pulling and waits for the message being handled to finish and be settled. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    activeListeners.get(this.client)?.delete(this as Listener<Event>);
    await this.messages?.close();
    await this.loop;
    this.releaseStale(true);
    await this.settled();
  }

  /**
   * One round trip on this listener's connection: the server has then read its unsubscribe
   * (no message published from now on, by anyone, is handed to the pull it leaves behind,
   * where it would wait a whole `ackWait`) and its last acks. Bounded: a connection that is
   * away has no pull for the server to deliver to anyway.
   */
  private async settled(): Promise<void> {
    if (this.client.isClosed()) return;
    const timeout = new AbortController();
    await Promise.race([
      this.client.flush().catch(() => undefined),
      sleep(CLOSE_FLUSH_MS, undefined, { signal: timeout.signal, ref: false }).catch(() => undefined),
    ]);
    timeout.abort();
  }
}
