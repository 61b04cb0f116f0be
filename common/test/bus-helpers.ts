import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { Listener } from '../src/events/listener';
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

type Handler<T> = (data: T, msg: JsMsg) => void | Promise<void>;

/** A listener whose behaviour each test chooses, recording what it saw. */
export class RecordingCreatedListener extends Listener<TicketCreatedEvent> {
  readonly subject = Subjects.TicketCreated;
  readonly received: { data: TicketCreatedEvent['data']; seq: number; deliveryCount: number }[] = [];
  override readonly ackWait: number;

  constructor(
    client: NatsConnection,
    readonly queueGroupName: string,
    private readonly handler: Handler<TicketCreatedEvent['data']> = (_data, msg) => msg.ack(),
    ackWait = 5_000,
  ) {
    super(client, silent);
    this.ackWait = ackWait;
  }

  async onMessage(data: TicketCreatedEvent['data'], msg: JsMsg) {
    this.received.push({ data, seq: msg.seq, deliveryCount: msg.info.deliveryCount });
    await this.handler(data, msg);
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

  onMessage(data: TicketUpdatedEvent['data'], msg: JsMsg) {
    this.received.push(data);
    msg.ack();
  }
}

export function ticket(n: number): TicketCreatedEvent['data'] {
  return { id: `t-${n}`, version: 0, title: `concert ${n}`, price: 10 + n, userId: 'u-1' };
}

export async function connectWithStream(url: string): Promise<NatsConnection> {
  const nc = await connect({ servers: url });
  await ensureStream(nc, STREAM);
  return nc;
}

export async function streamMessageCount(nc: NatsConnection): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.streams.info(STREAM)).state.messages;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
