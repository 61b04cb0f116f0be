import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import type { TestNatsServer } from '../src/testing/nats-server';
import { jetstreamManager, type ConsumerInfo } from '@nats-io/jetstream';
import { Listener, type MessageContext } from '../src/events/listener';
import { Publisher } from '../src/events/publisher';
import { Subjects } from '../src/events/subjects';
import { ensureStream } from '../src/nats/stream';
import { createLogger } from '../src/logger/logger';
import type { TicketCreatedEvent } from '../src/events/ticket-created-event';
import type { TicketUpdatedEvent } from '../src/events/ticket-updated-event';

export const STREAM = 'ticketing';
export const silent = createLogger('test', 'silent');

export class CreatedPublisher extends Publisher<TicketCreatedEvent> {
  readonly subject = Subjects.TicketCreated;
}

export class UpdatedPublisher extends Publisher<TicketUpdatedEvent> {
  readonly subject = Subjects.TicketUpdated;
}

type Handler<T> = (data: T, context: MessageContext) => Promise<void>;

/** Tuning a test gives a listener. */
export interface ListenerTuning {
  ackWait?: number;
  maxDeliver?: number;
  retryDelayMs?: number;
  maxEarlyDeliveries?: number;
}

/** A listener whose behaviour each test chooses, recording every delivery it saw. */
export class RecordingCreatedListener extends Listener<TicketCreatedEvent> {
  readonly subject = Subjects.TicketCreated;
  readonly received: { data: TicketCreatedEvent['data']; seq: number; deliveryCount: number }[] = [];
  override readonly ackWait: number;
  override readonly maxDeliver: number;
  override readonly retryDelayMs: number;
  override readonly maxEarlyDeliveries: number;

  constructor(
    client: NatsConnection,
    readonly queueGroupName: string,
    private readonly handler: Handler<TicketCreatedEvent['data']> = async () => {},
    tuning: ListenerTuning = {},
  ) {
    super(client, silent);
    this.ackWait = tuning.ackWait ?? 5_000;
    this.maxDeliver = tuning.maxDeliver ?? 5;
    this.retryDelayMs = tuning.retryDelayMs ?? 100;
    this.maxEarlyDeliveries = tuning.maxEarlyDeliveries ?? 60;
  }

  async onMessage(data: TicketCreatedEvent['data'], context: MessageContext) {
    this.received.push({ data, seq: context.seq, deliveryCount: context.deliveryCount });
    await this.handler(data, context);
  }
}

export class RecordingUpdatedListener extends Listener<TicketUpdatedEvent> {
  readonly subject = Subjects.TicketUpdated;
  readonly received: TicketUpdatedEvent['data'][] = [];

  constructor(
    client: NatsConnection,
    readonly queueGroupName: string,
  ) {
    super(client, silent);
  }

  async onMessage(data: TicketUpdatedEvent['data']) {
    this.received.push(data);
  }
}

const ids = new Map<number, string>();

/** A stable UUID per test ticket number. */
export function ticketId(n: number): string {
  if (!ids.has(n)) ids.set(n, randomUUID());
  return ids.get(n)!;
}

export function ticket(n: number): TicketCreatedEvent['data'] {
  return { id: ticketId(n), version: 0, title: `concert ${n}`, price: 10 + n, userId: 'u-1' };
}

/** A connection as the test's own user (who may do anything), with the stream set up. */
export async function connectWithStream(server: TestNatsServer): Promise<NatsConnection> {
  const nc = await server.connect();
  await ensureStream(nc, STREAM);
  return nc;
}

export async function streamMessageCount(nc: NatsConnection): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.streams.info(STREAM)).state.messages;
}

export async function consumerInfo(nc: NatsConnection, durable: string): Promise<ConsumerInfo> {
  return (await jetstreamManager(nc)).consumers.info(STREAM, durable);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
