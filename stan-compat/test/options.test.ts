import { DeliverPolicy } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { NewSubscriptionOptions } from '../src';
import { consumerName, planConsumer } from '../src/consumer-plan';
import { isDefaultServer, resolveOptions, sanitizeUrl } from '../src/options';

describe('server URLs', () => {
  it.each([
    ['http://localhost:4222', 'nats://localhost:4222'],
    ['https://nats.example.com:4443', 'tls://nats.example.com:4443'],
    ['localhost', 'nats://localhost:4222'],
    ['127.0.0.1:5222', 'nats://127.0.0.1:5222'],
    ['nats://user:secret@host', 'nats://user:secret@host:4222'],
    ['tls://host:4443', 'tls://host:4443'],
  ])('reads %s as %s', (given, expected) => {
    expect(sanitizeUrl(given)).toBe(expected);
  });

  it.each(['http://localhost:4222', 'nats://127.0.0.1:4222', 'localhost', '[::1]:4222'])(
    'counts %s as the default server',
    (server) => expect(isDefaultServer(server)).toBe(true),
  );

  it.each(['http://localhost:4223', 'nats://nats-srv:4222'])('does not count %s as the default server', (server) =>
    expect(isDefaultServer(server)).toBe(false),
  );
});

describe('connect options', () => {
  it('default to localhost:4222, the client id as connection name, and reconnecting for ever', () => {
    const { connection, ackTimeout, maxPubAcksInflight, encoding } = resolveOptions('abc', undefined, {});

    expect(connection).toMatchObject({
      servers: ['nats://localhost:4222'],
      name: 'abc',
      reconnect: true,
      maxReconnectAttempts: -1,
    });
    expect([ackTimeout, maxPubAcksInflight, encoding]).toEqual([30_000, 16_384, 'utf8']);
  });

  it('take NATS_URL instead of the default server, and only then', () => {
    const env = { NATS_URL: 'nats://nats-srv:4222,nats://nats-2:4222' };

    expect(resolveOptions('abc', { url: 'http://localhost:4222' }, env).connection.servers).toEqual([
      'nats://nats-srv:4222',
      'nats://nats-2:4222',
    ]);
    expect(resolveOptions('abc', undefined, env).connection.servers).toHaveLength(2);
    expect(resolveOptions('abc', { url: 'nats://other:4222' }, env).connection.servers).toEqual(['nats://other:4222']);
  });

  it('map the streaming heartbeat options to NATS pings, and passwords and TLS to the NATS client', () => {
    const { connection } = resolveOptions(
      'abc',
      { stanPingInterval: 1_000, stanMaxPingOut: 4, user: 'u', password: 'p', tls: true },
      {},
    );

    expect(connection).toMatchObject({ pingInterval: 1_000, maxPingOut: 4, user: 'u', pass: 'p', tls: {} });
  });

  it('list the authentication options the NATS client cannot take, to refuse them', () => {
    expect(resolveOptions('abc', { nkey: 'UABC', nonceSigner: () => '' }, {}).unsupported).toEqual([
      'nkey',
      'nonceSigner',
    ]);
  });
});

describe('consumer names and settings', () => {
  const opts = () => NewSubscriptionOptions().setManualAckMode(true).setAckWait(5_000).setMaxInFlight(10);

  it.each([
    ['durable, the queue group as durable name', 'orders-service-ticket:created', 'orders-service', 'orders-service'],
    [
      'durable, another durable name',
      'orders-service-queue-group-accounting-service-ticket:created',
      'orders-service-queue-group',
      'accounting-service',
    ],
    ['durable, no queue group', 'abc-accounting-service-ticket:created', undefined, 'accounting-service'],
    ['queue group, not durable', 'orders-service-nondurable-ticket:created', 'orders-service', undefined],
  ])('%s: the consumer is %s', (_kind, expected, group, durable) => {
    const options = opts();
    if (durable) options.setDurableName(durable);

    expect(planConsumer('abc', 'ticket:created', group, options).name).toBe(expected);
  });

  it('gives a plain subscription a consumer of its own', () => {
    const first = planConsumer('abc', 'ticket:created', undefined, opts());
    const second = planConsumer('abc', 'ticket:created', undefined, opts());

    expect(first.name).toMatch(/^abc-\w+$/);
    expect(first.name).not.toBe(second.name);
    expect(first.durable).toBe(false);
  });

  it('keeps names apart when they hold characters a consumer name cannot', () => {
    const dotted = consumerName('group', 'orders.created');
    const underscored = consumerName('group', 'orders_created');

    expect(dotted).toMatch(/^group-orders_created-[0-9a-f]{8}$/);
    expect(dotted).not.toBe(underscored);
  });

  it('maps ack wait, max in flight and manual acks to an explicit-ack consumer', () => {
    const { config, pullBatch } = planConsumer('abc', 'ticket:created', 'orders-service', opts());

    expect(config).toMatchObject({
      ack_policy: 'explicit',
      ack_wait: nanos(5_000),
      max_ack_pending: 10,
      filter_subject: 'ticket:created',
      deliver_policy: DeliverPolicy.New,
    });
    expect(pullBatch).toBeLessThanOrEqual(10);
  });

  it('starts a time delta from the moment of subscribing, and a start time at that instant', () => {
    const now = Date.parse('2026-01-01T12:00:00.000Z');

    const delta = planConsumer('abc', 's', undefined, opts().setStartAtTimeDelta(60_000), now).config;
    const at = planConsumer('abc', 's', undefined, opts().setStartTime(new Date('2025-12-31T00:00:00Z')), now).config;

    expect(delta).toMatchObject({
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: '2026-01-01T11:59:00.000Z',
    });
    expect(at).toMatchObject({ deliver_policy: DeliverPolicy.StartTime, opt_start_time: '2025-12-31T00:00:00.000Z' });
  });
});
