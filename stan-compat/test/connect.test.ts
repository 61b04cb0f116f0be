import { startNatsServer, waitFor, type TestNatsServer } from '@ticketing/common/testing';
import { connect as natsConnect, type NatsConnection } from '@nats-io/transport-node';
import nats, { connect, type Stan } from '../src';
import { CLIENT_ID_TAKEN, CONN_CLOSED } from '../src/errors';
import {
  cleanUp,
  closeStan,
  connectStan,
  consumerNames,
  inspector,
  newCluster,
  nextEvent,
  publish,
  receivedCount,
  subscribe,
  track,
} from './helpers';

let server: TestNatsServer;

beforeAll(async () => {
  server = await startNatsServer({ stream: null });
});

afterEach(() => cleanUp(server.url));

afterAll(async () => {
  await server.destroy();
});

describe('connect(clusterId, clientId, opts)', () => {
  it('emits connect with the client, through the default export as the reference design calls it', async () => {
    const stan = track(nats.connect(newCluster(), 'abc', { url: server.url }));
    const [client] = await nextEvent<[Stan]>(stan, 'connect');

    expect(client).toBe(stan);
    await closeStan(stan);
  });

  it.each([
    ['the http://host:port form of the reference design', () => ({ url: `http://localhost:${server.port}` })],
    ['host:port without a scheme', () => ({ url: `127.0.0.1:${server.port}` })],
    ['a servers list', () => ({ servers: [`nats://127.0.0.1:${server.port}`] })],
    ['a port number', () => server.port],
    ['a URL string', () => `nats://127.0.0.1:${server.port}`],
  ])('reaches the server given as %s', async (_form, opts) => {
    const stan = track(connect(newCluster(), 'abc', opts()));
    await nextEvent(stan, 'connect');
    await closeStan(stan);
  });

  describe('NATS_URL', () => {
    const saved = process.env.NATS_URL;
    afterEach(() => {
      if (saved === undefined) delete process.env.NATS_URL;
      else process.env.NATS_URL = saved;
    });

    it('replaces the default server (localhost:4222, in any of its forms)', async () => {
      process.env.NATS_URL = server.url;
      for (const opts of [{ url: 'http://localhost:4222' }, { url: 'nats://127.0.0.1:4222' }, {}]) {
        const stan = track(connect(newCluster(), 'abc', opts));
        await nextEvent(stan, 'connect', 5_000);
        await closeStan(stan);
      }
    });

    it('leaves any other server alone', async () => {
      const dead = await startNatsServer({ stream: null });
      await dead.destroy();
      process.env.NATS_URL = server.url;

      const stan = track(connect(newCluster(), 'abc', { url: dead.url }));
      const [error] = await nextEvent<[Error]>(stan, 'error');

      expect(error).toBeInstanceOf(Error);
    });
  });

  it('emits error then close when no server answers', async () => {
    const dead = await startNatsServer({ stream: null });
    await dead.destroy();
    const stan = track(connect(newCluster(), 'abc', { url: dead.url }));
    const events: string[] = [];
    stan.on('error', () => events.push('error'));
    stan.on('close', () => events.push('close'));

    await waitFor(() => events.length === 2, { message: 'error and close' });
    expect(events).toEqual(['error', 'close']);
    expect(stan.isClosed()).toBe(true);
  });

  it('throws at once without a cluster id or a client id, as node-nats-streaming did', () => {
    expect(() => connect('', 'abc')).toThrow('stan: cluster ID must be supplied');
    expect(() => connect('ticketing', '')).toThrow('stan: client ID must be supplied');
  });

  it('refuses a client id the streaming server would have refused', async () => {
    const stan = track(connect(newCluster(), 'not valid!', { url: server.url }));
    const [error] = await nextEvent<[Error]>(stan, 'error');

    expect(error.message).toMatch(/invalid client ID/);
  });

  it('refuses a second client with the id of a connected one, and accepts it once that one has closed', async () => {
    const cluster = newCluster();
    const first = await connectStan(cluster, 'abc', { url: server.url });

    await expect(connectStan(cluster, 'abc', { url: server.url })).rejects.toThrow(CLIENT_ID_TAKEN);
    const other = await connectStan(newCluster(), 'abc', { url: server.url });

    await closeStan(first);
    const again = await connectStan(cluster, 'abc', { url: server.url });
    await closeStan(again);
    await closeStan(other);
  });

  it('close() emits close once, and a closed client refuses publishes and subscriptions', async () => {
    const stan = await connectStan(newCluster(), 'abc', { url: server.url });
    let closes = 0;
    stan.on('close', () => closes++);

    stan.close();
    stan.close();
    await waitFor(() => closes === 1, { message: 'close' });

    expect(() => stan.publish('ticket:created', 'x')).toThrow(CONN_CLOSED);
    const callback = jest.fn();
    stan.publish('ticket:created', 'x', callback);
    expect(callback).toHaveBeenCalledWith(expect.objectContaining({ message: CONN_CLOSED }), expect.any(String));
    const [error] = await nextEvent<[Error]>(stan.subscribe('ticket:created'), 'error');
    expect(error.message).toBe(CONN_CLOSED);
    // Whatever could emit close again has run once the NATS connection is closed and the
    // callbacks it queued (close is emitted on the next tick) have run.
    await (stan as unknown as { nc: NatsConnection }).nc.closed();
    await new Promise((resolve) => setImmediate(resolve));
    expect(closes).toBe(1);
  });

  it('closes its own NATS connection, but leaves one it was given open', async () => {
    const own = await connectStan(newCluster(), 'own', { url: server.url });
    const given = await natsConnect({ servers: server.url, ...server.admin });
    const borrowed = await connectStan(newCluster(), 'borrowed', { nc: given });

    await closeStan(own);
    await closeStan(borrowed);

    expect((own as unknown as { nc: NatsConnection }).nc.isClosed()).toBe(true);
    expect(given.isClosed()).toBe(false);
    await given.close();
  });

  it('emits disconnect and reconnect when the server goes away and comes back, then works on', async () => {
    const local = await startNatsServer({ stream: null });
    try {
      const cluster = newCluster();
      const stan = await connectStan(cluster, 'abc', { url: local.url, reconnectTimeWait: 100 });
      const recorder = await subscribe(
        stan,
        'ticket:created',
        'group',
        stan.subscriptionOptions().setDurableName('group').setDeliverAllAvailable(),
      );
      const events: string[] = [];
      for (const event of ['disconnect', 'reconnecting', 'reconnect']) stan.on(event, () => events.push(event));

      await local.stop();
      await waitFor(() => events.includes('disconnect'), { message: 'disconnect' });
      await local.start();
      await waitFor(() => events.includes('reconnect'), { message: 'reconnect', timeoutMs: 15_000 });

      expect(events).toEqual(expect.arrayContaining(['disconnect', 'reconnecting', 'reconnect']));
      await publish(stan, 'ticket:created', 'after the outage');
      await receivedCount(recorder, 1, 20_000);
      expect(recorder.data()).toEqual(['after the outage']);
      await closeStan(stan);
    } finally {
      await local.destroy();
    }
  });

  it('close() while the server is away still closes, and a durable keeps its position', async () => {
    const local = await startNatsServer({ stream: null });
    try {
      const cluster = newCluster();
      const stan = await connectStan(cluster, 'abc', { url: local.url, reconnectTimeWait: 100, connectTimeout: 1_000 });
      const options = stan.subscriptionOptions().setDurableName('accounting').setDeliverAllAvailable();
      await subscribe(stan, 'ticket:created', 'group', options);
      const disconnected = nextEvent(stan, 'disconnect');
      await local.stop();
      await disconnected;

      const started = Date.now();
      await closeStan(stan);

      expect(Date.now() - started).toBeLessThan(5_000);
      await local.start();
      const { jsm } = await inspector(local.url);
      expect(await consumerNames(jsm, cluster)).toEqual(['group-accounting-ticket:created']);
    } finally {
      await local.destroy();
    }
  });

  it('emits connection_lost and close when the connection closes for good on its own', async () => {
    const local = await startNatsServer({ stream: null });
    try {
      const stan = await connectStan(newCluster(), 'abc', {
        url: local.url,
        maxReconnectAttempts: 1,
        reconnectTimeWait: 50,
      });
      const events: string[] = [];
      stan.on('connection_lost', () => events.push('connection_lost'));
      stan.on('close', () => events.push('close'));

      await local.stop();

      await waitFor(() => events.includes('close'), { message: 'close', timeoutMs: 15_000 });
      expect(events).toEqual(['connection_lost', 'close']);
      expect(stan.isClosed()).toBe(true);
    } finally {
      await local.destroy();
    }
  });
});
