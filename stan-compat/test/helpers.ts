import type { EventEmitter } from 'node:events';
import { jetstreamManager, type ConsumerInfo, type JetStreamManager } from '@nats-io/jetstream';
import { connect as natsConnect, type NatsConnection } from '@nats-io/transport-node';
import { TEST_ADMIN, waitFor, waitForConsumers } from '@ticketing/common/testing';
import {
  connect,
  type Message,
  type Stan,
  type StanOptions,
  type Subscription,
  type SubscriptionOptions,
} from '../src';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let counter = 0;
/** A cluster id (so a stream) no other test uses. */
export function newCluster(): string {
  return `cluster${++counter}`;
}

/** Resolves with the first `event` the emitter sends (its arguments), or rejects after `timeoutMs`. */
export function nextEvent<T extends unknown[] = unknown[]>(
  emitter: EventEmitter,
  event: string,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, onEvent);
      reject(new Error(`no ${event} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const onEvent = (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args as T);
    };
    emitter.once(event, onEvent);
  });
}

/** The clients and NATS connections a test opened, closed after it by `cleanUp`. */
const clients = new Set<Stan>();
const connections = new Set<NatsConnection>();

/** Registers a client for `cleanUp` to close. */
export function track(stan: Stan): Stan {
  clients.add(stan);
  return stan;
}

/** Connects a compat client and waits for `connect`; rejects on `error`. */
export function connectStan(cluster: string, clientId: string, opts: StanOptions): Promise<Stan> {
  const stan = track(connect(cluster, clientId, opts));
  return new Promise((resolve, reject) => {
    stan.once('connect', () => resolve(stan));
    stan.once('error', reject);
  });
}

/** Closes a client and waits for its `close` event. */
export async function closeStan(stan: Stan): Promise<void> {
  clients.delete(stan);
  if (stan.isClosed()) return;
  const closed = nextEvent(stan, 'close');
  stan.close();
  try {
    await closed;
  } catch (error) {
    // A client that cannot close (a failing test) must not keep reconnecting after the test.
    await (stan as unknown as { nc?: NatsConnection }).nc?.close();
    throw error;
  }
}

/** A plain NATS connection (and JetStream manager) to look at the server's state. */
export async function inspector(url: string): Promise<{ nc: NatsConnection; jsm: JetStreamManager }> {
  const nc = await natsConnect({ servers: url, ...TEST_ADMIN });
  connections.add(nc);
  return { nc, jsm: await jetstreamManager(nc) };
}

/**
 * Closes what the test opened and deletes every stream: on one server, two streams cannot
 * capture the same subject, so each test starts with none.
 */
export async function cleanUp(url: string): Promise<void> {
  const closing = await Promise.allSettled([...clients].map(closeStan));
  const failed = closing.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  const { jsm } = await inspector(url);
  for await (const name of jsm.streams.names()) await jsm.streams.delete(name);
  await Promise.all([...connections].map((nc) => nc.close()));
  connections.clear();
}

/** Publishes and resolves with the guid once the server has stored the message. */
export function publish(stan: Stan, subject: string, data: string | Uint8Array): Promise<string> {
  return new Promise((resolve, reject) => {
    stan.publish(subject, data, (err, guid) => (err ? reject(err) : resolve(guid)));
  });
}

/** A subscription that records every delivery; `ready` resolves when it is set up. */
export interface Recorder {
  sub: Subscription;
  received: Message[];
  /** The data of every delivery, in order. */
  data(): (string | Buffer)[];
}

/** Subscribes and waits for `ready`, recording what arrives (and acking nothing by itself). */
export async function subscribe(
  stan: Stan,
  subject: string,
  queueGroup?: string,
  opts?: SubscriptionOptions,
  onMessage: (msg: Message) => void = () => undefined,
): Promise<Recorder> {
  const sub = queueGroup ? stan.subscribe(subject, queueGroup, opts) : stan.subscribe(subject, opts);
  const received: Message[] = [];
  sub.on('message', (msg: Message) => {
    received.push(msg);
    onMessage(msg);
  });
  await nextEvent(sub, 'ready');
  return { sub, received, data: () => received.map((m) => m.getData()) };
}

/** Waits until `recorder` holds `count` deliveries. */
export async function receivedCount(recorder: Recorder, count: number, timeoutMs = 10_000): Promise<void> {
  await waitFor(() => recorder.received.length >= count, { timeoutMs, message: `${count} deliveries` });
}

/** The payload `fence` publishes. */
export const FENCE = 'fence';

/**
 * Publishes a fence on the recorder's subject and waits until the recorder has it. A
 * consumer delivers in stream order, so every message before the fence that the
 * subscription would get (one it should not have, a second delivery made so far) has come
 * by then. A redelivery still due later is not: call `settled` first.
 */
export async function fence(stan: Stan, recorder: Recorder): Promise<void> {
  await publish(stan, recorder.sub.subject, FENCE);
  await waitFor(() => recorder.data().some((data) => String(data) === FENCE), { message: 'the fence' });
}

/**
 * Waits until every consumer of the stream (or those named) has acknowledged all it holds
 * now, with nothing left pending: nothing of it will be delivered or redelivered any more.
 */
export async function settled(url: string, stream: string, durables?: string[]): Promise<void> {
  const { nc } = await inspector(url);
  await waitForConsumers(nc, { stream, durables });
}

/** The consumer's info, or undefined when it does not exist. */
export async function consumerInfo(
  jsm: JetStreamManager,
  stream: string,
  name: string,
): Promise<ConsumerInfo | undefined> {
  return jsm.consumers.info(stream, name).catch(() => undefined);
}

/** The names of the stream's consumers. */
export async function consumerNames(jsm: JetStreamManager, stream: string): Promise<string[]> {
  const names: string[] = [];
  for await (const info of jsm.consumers.list(stream)) names.push(info.name);
  return names.sort();
}
