/**
 * The compat client and the project's own bus (@ticketing/common's Publisher and Listener)
 * on one stream: events cross in both directions, and the course-style durable shares the
 * project's consumer.
 */
import { randomUUID } from 'node:crypto';
import { connect as natsConnect, type NatsConnection } from '@nats-io/transport-node';
import {
  createLogger,
  ensureStream,
  Listener,
  Publisher,
  Subjects,
  type MessageContext,
  type TicketCreatedEvent,
} from '@ticketing/common/events';
import { startNatsServer, waitFor, waitForConsumers, type TestNatsServer } from '@ticketing/common/testing';
import type { Stan } from '../src';
import { cleanUp, closeStan, connectStan, publish, receivedCount, subscribe } from './helpers';

class CreatedPublisher extends Publisher<TicketCreatedEvent> {
  readonly subject = Subjects.TicketCreated;
}

class CreatedListener extends Listener<TicketCreatedEvent> {
  readonly subject = Subjects.TicketCreated;
  readonly queueGroupName = 'payments-service';
  readonly received: { data: TicketCreatedEvent['data']; seq: number }[] = [];

  constructor(client: NatsConnection) {
    super(client, createLogger('test', 'silent'));
  }

  async onMessage(data: TicketCreatedEvent['data'], { seq }: MessageContext) {
    this.received.push({ data, seq });
  }
}

const ids = new Map<number, string>();
const ticket = (n: number): TicketCreatedEvent['data'] => ({
  id: ids.get(n) ?? ids.set(n, randomUUID()).get(n)!,
  version: 0,
  title: `concert ${n}`,
  price: 10 + n,
  userId: 'u-1',
});

let server: TestNatsServer;
let nc: NatsConnection;
let stan: Stan;
const listeners: CreatedListener[] = [];

beforeAll(async () => {
  server = await startNatsServer({ stream: null });
});

beforeEach(async () => {
  nc = await natsConnect({ servers: server.url, ...server.admin });
  await ensureStream(nc, 'ticketing');
  stan = await connectStan('ticketing', 'payments-1', { url: server.url });
});

afterEach(async () => {
  await Promise.all(listeners.splice(0).map((listener) => listener.close()));
  await nc.close();
  await cleanUp(server.url);
});

afterAll(async () => {
  await server.destroy();
});

async function listen(): Promise<CreatedListener> {
  const listener = new CreatedListener(nc);
  listeners.push(listener);
  await listener.listen();
  return listener;
}

describe('the compat client and the project’s bus on one stream', () => {
  it('an event published through the compat client reaches the project’s Listener', async () => {
    const listener = await listen();

    await publish(stan, Subjects.TicketCreated, JSON.stringify(ticket(1)));

    await waitFor(() => listener.received.length === 1, { message: 'the event' });
    expect(listener.received).toEqual([{ data: ticket(1), seq: 1 }]);
  });

  it('an event published by the project’s Publisher reaches a compat subscription', async () => {
    const recorder = await subscribe(stan, Subjects.TicketCreated);

    const seq = await new CreatedPublisher(nc).publish(ticket(2));

    await receivedCount(recorder, 1);
    expect(JSON.parse(String(recorder.received[0]!.getData()))).toEqual(ticket(2));
    expect(recorder.received[0]!.getSequence()).toBe(seq);
  });

  it('a course-style listener (durable name = queue group) and the project’s Listener share one consumer', async () => {
    const options = stan
      .subscriptionOptions()
      .setDeliverAllAvailable()
      .setManualAckMode(true)
      .setAckWait(5_000)
      .setDurableName('payments-service');
    const compat = await subscribe(stan, Subjects.TicketCreated, 'payments-service', options, (msg) => msg.ack());
    await publish(stan, Subjects.TicketCreated, JSON.stringify(ticket(1)));
    await receivedCount(compat, 1);
    await closeStan(stan);

    // The service moved to the project's Listener: it carries on where the compat one stopped.
    const listener = await listen();
    await new CreatedPublisher(nc).publish(ticket(2));

    await waitFor(() => listener.received.length === 1, { message: 'the next event' });
    // The shared consumer has everything acked (the first event by the compat client), so
    // nothing comes again; a later event shows nothing else came meanwhile.
    await waitForConsumers(nc, { stream: 'ticketing', durables: [listener.durableName] });
    await new CreatedPublisher(nc).publish(ticket(3));
    await waitFor(() => listener.received.length >= 2, { message: 'the later event' });
    expect(listener.received.map((r) => r.data)).toEqual([ticket(2), ticket(3)]);
  });
});
