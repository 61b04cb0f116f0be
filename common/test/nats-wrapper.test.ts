import { once } from 'node:events';
import net from 'node:net';
import { jetstreamManager } from '@nats-io/jetstream';
import { startNatsServer, waitFor, type TestNatsServer } from '../src/testing';
import { NatsWrapper } from '../src/nats/nats-wrapper';
import { Subjects } from '../src/events/subjects';
import { CreatedPublisher, RecordingCreatedListener, sleep, silent, ticket } from './bus-helpers';

let server: TestNatsServer;

beforeAll(async () => {
  server = await startNatsServer({ stream: null });
});

beforeEach(async () => {
  // Streams may not overlap in subjects: every test starts from none.
  const nc = await server.connect();
  const jsm = await jetstreamManager(nc);
  for await (const name of jsm.streams.names()) await jsm.streams.delete(name);
  await nc.close();
});

afterAll(async () => {
  await server.destroy();
});

describe('NatsWrapper', () => {
  it('throws when the client is used before connecting', () => {
    const wrapper = new NatsWrapper();
    expect(() => wrapper.client).toThrow('Cannot access NATS client before connecting');
    expect(() => wrapper.jetstream).toThrow('Cannot access NATS client before connecting');
  });

  it('connects under the client id and creates the stream with every subject', async () => {
    const wrapper = new NatsWrapper();
    await wrapper.connect('wrapper-create', 'tickets-abc', server.url, {
      credentials: server.credentials,
      logger: silent,
    });

    expect(wrapper.isConnected).toBe(true);
    const jsm = await jetstreamManager(wrapper.client);
    const info = await jsm.streams.info('wrapper-create');
    expect(info.config.subjects.sort()).toEqual(Object.values(Subjects).sort());
    expect(info.config.storage).toBe('file');
    expect(info.config.duplicate_window).toBeGreaterThanOrEqual(120 * 1e9);
    expect(connectionName(wrapper)).toBe('tickets-abc');
    await wrapper.close();
  });

  it('adds missing subjects to an existing stream without removing any', async () => {
    const nc = await server.connect();
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'wrapper-extend', subjects: ['ticket:created', 'order:created'] });

    const wrapper = new NatsWrapper();
    await wrapper.connect('wrapper-extend', 'tickets-def', server.url, {
      credentials: server.credentials,
      logger: silent,
    });

    const info = await jsm.streams.info('wrapper-extend');
    expect(info.config.subjects.sort()).toEqual(Object.values(Subjects).sort());
    await wrapper.close();
    await nc.close();
  });

  it('drains on close: an in-flight handler finishes and its ack is stored', async () => {
    const wrapper = new NatsWrapper();
    await wrapper.connect('wrapper-drain', 'listener-1', server.url, {
      credentials: server.credentials,
      logger: silent,
    });
    let finished = false;
    const listener = new RecordingCreatedListener(wrapper.client, 'drain-service', async () => {
      // Still handling when close() comes.
      await sleep(300);
      finished = true;
    });
    await listener.listen();
    await new CreatedPublisher(wrapper.client).publish(ticket(1));
    await waitFor(() => listener.received.length === 1, { message: 'the event' });

    await wrapper.close();

    expect(finished).toBe(true);
    expect(wrapper.client.isClosed()).toBe(true);
    const nc = await server.connect();
    const info = await (await jetstreamManager(nc)).consumers.info('wrapper-drain', listener.durableName);
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
    await nc.close();
  });

  it('keeps trying to connect until the server is reachable', async () => {
    const later = await startNatsServer({ stream: null });
    await later.stop();
    // Where the server was, something that cuts every connection: each attempt is seen, and fails.
    let attempts = 0;
    const refuser = net.createServer((socket) => {
      attempts++;
      socket.destroy();
    });
    refuser.listen(later.port, '127.0.0.1');
    await once(refuser, 'listening');
    const wrapper = new NatsWrapper();
    let settled = false;
    const connecting = wrapper.connect('wrapper-wait', 'tickets-late', later.url, {
      credentials: later.credentials,
      logger: silent,
      reconnectTimeWait: 100,
    });
    void connecting.then(
      () => (settled = true),
      () => (settled = true),
    );
    try {
      // A fourth attempt comes only after three failed: it has not given up.
      await waitFor(() => attempts >= 4, { message: 'attempts after failed ones' });
      expect(wrapper.state).toBe('connecting');
      expect(settled).toBe(false);
    } finally {
      await new Promise((resolve) => refuser.close(resolve));
    }
    await later.start();
    await connecting;

    expect(wrapper.isConnected).toBe(true);
    await wrapper.close();
    await later.destroy();
  });

  it('when closed while still connecting, gives up and leaves no connection open', async () => {
    const later = await startNatsServer({ stream: null });
    await later.stop();
    const wrapper = new NatsWrapper();
    const connecting = wrapper.connect('wrapper-abandon', 'tickets-gone', later.url, {
      credentials: later.credentials,
      logger: silent,
      reconnectTimeWait: 100,
    });

    await wrapper.close();
    await later.start();

    await expect(connecting).rejects.toThrow('closed while connecting');
    expect(wrapper.isConnected).toBe(false);
    expect(() => wrapper.client).toThrow('Cannot access NATS client before connecting');
    await later.destroy();
  });

  it('refuses a second connect', async () => {
    const wrapper = new NatsWrapper();
    await wrapper.connect('wrapper-twice', 'tickets-1', server.url, {
      credentials: server.credentials,
      logger: silent,
    });

    await expect(
      wrapper.connect('wrapper-twice', 'tickets-2', server.url, { credentials: server.credentials, logger: silent }),
    ).rejects.toThrow('already connected');
    await wrapper.close();
  });

  it('reports reconnecting while the server is away and connected once it is back', async () => {
    const flaky = await startNatsServer({ stream: null });
    const wrapper = new NatsWrapper();
    await wrapper.connect('wrapper-flaky', 'tickets-flaky', flaky.url, {
      credentials: flaky.credentials,
      logger: silent,
      reconnectTimeWait: 100,
    });

    await flaky.stop();
    await waitFor(() => wrapper.state === 'reconnecting', { message: 'reconnecting state' });
    await flaky.start();
    await waitFor(() => wrapper.state === 'connected', { message: 'connected state' });

    await wrapper.close();
    await flaky.destroy();
  });
});

function connectionName(wrapper: NatsWrapper): string {
  return (wrapper.client as unknown as { options: { name: string } }).options.name;
}
