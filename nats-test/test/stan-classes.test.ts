import { jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { startNatsServer, waitFor, type TestNatsServer } from '@ticketing/common/testing';
import type { Message } from '@ticketing/stan-compat';
import { TicketCreatedListener } from '../src/stan/events/ticket-created-listener';
import { TicketCreatedPublisher } from '../src/stan/events/ticket-created-publisher';
import type { TicketCreatedEvent } from '../src/stan/events/ticket-created-event';
import { natsWrapper } from '../src/stan/nats-wrapper';

class RecordingListener extends TicketCreatedListener {
  readonly received: TicketCreatedEvent['data'][] = [];

  override onMessage(data: TicketCreatedEvent['data'], msg: Message) {
    this.received.push(data);
    super.onMessage(data, msg);
  }
}

let server: TestNatsServer;

beforeAll(async () => {
  server = await startNatsServer();
  // As `npm run listen:stan` runs them: with the local demo user's credential, from the environment.
  process.env.NATS_NKEY_SEED = server.seedOf('demo');
  // The example classes print as the course's do; keep the test output readable.
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterAll(async () => {
  delete process.env.NATS_NKEY_SEED;
  jest.restoreAllMocks();
  // Closed by the test; this is for a test that failed before it could.
  const client = (() => {
    try {
      return natsWrapper.client;
    } catch {
      return undefined;
    }
  })();
  if (client && !client.isClosed()) {
    const closed = new Promise((resolve) => client.once('close', resolve));
    client.close();
    await closed;
  }
  await server.destroy();
});

describe("the course's NatsWrapper, base Listener and base Publisher on the compat client", () => {
  it('connect, then a TicketCreatedPublisher event reaches a TicketCreatedListener, which acks it', async () => {
    await natsWrapper.connect('ticketing', 'tickets-1', server.url);
    const listener = new RecordingListener(natsWrapper.client);
    listener.listen();
    const data = { id: '123', title: 'concert', price: 20 };

    await new TicketCreatedPublisher(natsWrapper.client).publish(data);

    await waitFor(() => listener.received.length === 1, { message: 'the event' });
    expect(listener.received).toEqual([data]);
    const nc = await server.connect();
    try {
      const jsm = await jetstreamManager(nc);
      await waitFor(
        async () =>
          (await jsm.consumers.info('ticketing', 'payments-service-ticket:created')).ack_floor.stream_seq === 1,
        { message: 'the ack' },
      );
      const info = await jsm.consumers.info('ticketing', 'payments-service-ticket:created');
      expect(info.config.ack_wait).toBe(nanos(5_000));
      expect(info.config.deliver_policy).toBe('all');
    } finally {
      await nc.close();
    }

    const closed = new Promise((resolve) => natsWrapper.client.once('close', resolve));
    natsWrapper.client.close();
    await closed;
  });
});
