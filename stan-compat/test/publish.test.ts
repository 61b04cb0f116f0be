import { RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { startNatsServer, waitFor, type TestNatsServer } from '@ticketing/common/testing';
import { connect } from '../src';
import { ACK_TIMEOUT, INVALID_SUBJECT, MAX_FLIGHT_LIMIT_REACHED } from '../src/errors';
import { cleanUp, closeStan, connectStan, inspector, newCluster, nextEvent, publish, track } from './helpers';

let server: TestNatsServer;

beforeAll(async () => {
  server = await startNatsServer({ stream: null });
});

afterEach(() => cleanUp(server.url));

afterAll(async () => {
  await server.destroy();
});

describe('publish(subject, data, callback)', () => {
  it('returns a guid and calls back (undefined, guid) once stored; the guid is the Nats-Msg-Id', async () => {
    const cluster = newCluster();
    const stan = await connectStan(cluster, 'abc', { url: server.url });
    const { jsm } = await inspector(server.url);

    let returned = '';
    const calledBack = await new Promise<[Error | undefined, string]>((resolve) => {
      returned = stan.publish('ticket:created', '{"id":"123"}', (err, guid) => resolve([err, guid]));
    });

    expect(calledBack).toEqual([undefined, returned]);
    expect(returned).toMatch(/^\w{22}$/);
    const stored = await jsm.streams.getMessage(cluster, { seq: 1 });
    expect(stored?.subject).toBe('ticket:created');
    expect(stored?.string()).toBe('{"id":"123"}');
    expect(stored?.header.get('Nats-Msg-Id')).toBe(returned);
  });

  it('sends what was published before connect once connected, in order', async () => {
    const cluster = newCluster();
    const stan = track(connect(cluster, 'abc', { url: server.url }));
    const acks: string[] = [];
    for (const n of [1, 2, 3]) stan.publish('ticket:created', `early ${n}`, (err) => acks.push(err ? 'error' : `${n}`));
    await nextEvent(stan, 'connect');

    await waitFor(() => acks.length === 3, { message: 'three acks' });
    expect(acks).toEqual(['1', '2', '3']);
    const { jsm } = await inspector(server.url);
    const stored = await Promise.all([1, 2, 3].map((seq) => jsm.streams.getMessage(cluster, { seq })));
    expect(stored.map((m) => m?.string())).toEqual(['early 1', 'early 2', 'early 3']);
    await closeStan(stan);
  });

  it('stores many publishes on one subject in the order they were made', async () => {
    const cluster = newCluster();
    const stan = await connectStan(cluster, 'abc', { url: server.url });

    await Promise.all(Array.from({ length: 200 }, (_, n) => publish(stan, 'ticket:created', `${n}`)));

    const { jsm } = await inspector(server.url);
    const stored = await Promise.all(
      Array.from({ length: 200 }, (_, n) => jsm.streams.getMessage(cluster, { seq: n + 1 })),
    );
    expect(stored.map((m) => m?.string())).toEqual(Array.from({ length: 200 }, (_, n) => `${n}`));
  });

  it('sends Buffer and Uint8Array data byte for byte', async () => {
    const cluster = newCluster();
    const stan = await connectStan(cluster, 'abc', { url: server.url });
    const bytes = Uint8Array.from([0, 1, 2, 250, 255]);

    await publish(stan, 'bytes', bytes);
    await publish(stan, 'bytes', Buffer.from(bytes));

    const { jsm } = await inspector(server.url);
    for (const seq of [1, 2]) {
      expect(Array.from((await jsm.streams.getMessage(cluster, { seq }))!.data)).toEqual(Array.from(bytes));
    }
  });

  it('lets the publishes already made be stored and acknowledged before close() completes', async () => {
    const cluster = newCluster();
    const stan = await connectStan(cluster, 'abc', { url: server.url });
    const acks: (Error | undefined)[] = [];

    for (let n = 0; n < 20; n++) stan.publish('ticket:created', `${n}`, (err) => acks.push(err));
    const closed = nextEvent(stan, 'close');
    stan.close();
    await closed;

    expect(acks).toEqual(Array.from({ length: 20 }, () => undefined));
    const { jsm } = await inspector(server.url);
    expect((await jsm.streams.info(cluster)).state.messages).toBe(20);
  });

  describe('the stream named by the cluster id', () => {
    it('is created on first use with the subject published to', async () => {
      const cluster = newCluster();
      const stan = await connectStan(cluster, 'abc', { url: server.url });
      const { jsm } = await inspector(server.url);
      await expect(jsm.streams.info(cluster)).rejects.toThrow(/stream not found/);

      await publish(stan, 'ticket:created', 'x');

      const { config } = await jsm.streams.info(cluster);
      expect(config.subjects).toEqual(['ticket:created']);
      expect(config.storage).toBe(StorageType.File);
      expect(config.duplicate_window).toBe(2 * 60 * 1_000_000_000);
    });

    it('is created at connect with the subjects given', async () => {
      const cluster = newCluster();
      await connectStan(cluster, 'abc', { url: server.url, subjects: ['ticket:created', 'ticket:updated'] });

      const { jsm } = await inspector(server.url);
      expect((await jsm.streams.info(cluster)).config.subjects).toEqual(['ticket:created', 'ticket:updated']);
    });

    it('gains a subject it lacks and keeps every subject it had', async () => {
      const cluster = newCluster();
      const { jsm } = await inspector(server.url);
      await jsm.streams.add({ name: cluster, subjects: ['order:created', 'ticket.>'] });
      const stan = await connectStan(cluster, 'abc', { url: server.url });

      await publish(stan, 'ticket:created', 'x');
      await publish(stan, 'ticket.updated', 'captured by ticket.>');

      expect((await jsm.streams.info(cluster)).config.subjects).toEqual([
        'order:created',
        'ticket.>',
        'ticket:created',
      ]);
      expect((await jsm.streams.info(cluster)).state.messages).toBe(2);
    });

    it('is made again when it vanished (a server that lost its store)', async () => {
      const cluster = newCluster();
      const stan = await connectStan(cluster, 'abc', { url: server.url });
      await publish(stan, 'ticket:created', 'first');
      const { jsm } = await inspector(server.url);
      await jsm.streams.delete(cluster);

      await publish(stan, 'ticket:created', 'second');

      const info = await jsm.streams.info(cluster);
      expect(info.state.messages).toBe(1);
      expect(info.config.retention).toBe(RetentionPolicy.Limits);
    });
  });

  describe('failures', () => {
    it('calls back with an error for a subject with wildcards, which STAN channels cannot have', async () => {
      const stan = await connectStan(newCluster(), 'abc', { url: server.url });

      await expect(publish(stan, 'ticket.*', 'x')).rejects.toThrow(INVALID_SUBJECT);
    });

    it('calls back with an error when the stream cannot capture the subject', async () => {
      const cluster = newCluster();
      const { jsm } = await inspector(server.url);
      await jsm.streams.add({ name: `${cluster}-other`, subjects: ['taken.by.another'] });
      const stan = await connectStan(cluster, 'abc', { url: server.url });

      await expect(publish(stan, 'taken.by.another', 'x')).rejects.toThrow(/overlap/);
    });

    it('refuses a publish beyond maxPubAcksInflight unacknowledged ones', async () => {
      const stan = await connectStan(newCluster(), 'abc', { url: server.url, maxPubAcksInflight: 2 });

      const first = publish(stan, 'ticket:created', '1');
      const second = publish(stan, 'ticket:created', '2');
      const third = publish(stan, 'ticket:created', '3');

      await expect(third).rejects.toThrow(MAX_FLIGHT_LIMIT_REACHED);
      await expect(Promise.all([first, second])).resolves.toHaveLength(2);
      await expect(publish(stan, 'ticket:created', '4')).resolves.toEqual(expect.any(String));
    });

    it('calls back with the publish ack timeout when the server does not store it within ackTimeout', async () => {
      const local = await startNatsServer({ stream: null });
      try {
        const stan = await connectStan(newCluster(), 'abc', { url: local.url, ackTimeout: 300 });
        await publish(stan, 'ticket:created', 'stored');
        await local.stop();

        const started = Date.now();
        await expect(publish(stan, 'ticket:created', 'lost')).rejects.toThrow(ACK_TIMEOUT);
        expect(Date.now() - started).toBeGreaterThanOrEqual(250);
        await closeStan(stan);
      } finally {
        await local.destroy();
      }
    });

    it('calls back with the connect error what was published before a connect that failed', async () => {
      const dead = await startNatsServer({ stream: null });
      await dead.destroy();
      const stan = track(connect(newCluster(), 'abc', { url: dead.url }));
      stan.on('error', () => undefined);

      await expect(publish(stan, 'ticket:created', 'x')).rejects.toThrow();
    });
  });
});
