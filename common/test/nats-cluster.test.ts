import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import pino from 'pino';
import { NatsWrapper } from '../src/nats/nats-wrapper';
import { startNatsCluster, waitFor, type TestNatsCluster } from '../src/testing';
import { CreatedPublisher, silent, ticket } from './bus-helpers';

let cluster: TestNatsCluster;
let wrapper: NatsWrapper;

beforeAll(async () => {
  cluster = await startNatsCluster();
  wrapper = new NatsWrapper();
  // NATS_URL as a deployment on the cluster gives it: every server, comma-separated.
  await wrapper.connect('ticketing', 'cluster-test', cluster.url, {
    credentials: cluster.credentials,
    logger: silent,
    streamReplicas: 3,
    reconnectTimeWait: 100,
  });
}, 60_000);

afterAll(async () => {
  await wrapper?.close();
  await cluster?.destroy();
});

describe('a three-node JetStream cluster', () => {
  it('gets the stream with three replicas from the first service to connect', async () => {
    const info = await (await jetstreamManager(wrapper.client)).streams.info('ticketing');

    expect(info.config.num_replicas).toBe(3);
    expect([info.cluster?.leader, ...(info.cluster?.replicas ?? []).map((r) => r.name)].sort()).toEqual([
      'n1',
      'n2',
      'n3',
    ]);
  });

  it('keeps storing events after its stream leader is killed: a new one is elected', async () => {
    const publisher = new CreatedPublisher(wrapper.client);
    await publisher.publish(ticket(1), { msgId: randomUUID() });
    const leader = await cluster.leader('ticketing');

    await cluster.kill(leader);

    const seq = await waitFor(() => publisher.publish(ticket(2), { msgId: randomUUID() }).catch(() => undefined), {
      timeoutMs: 20_000,
      message: 'a publish after the election',
    });
    expect(seq).toBeGreaterThan(1);
    expect(await cluster.leader('ticketing')).not.toBe(leader);
    await cluster.start(leader);
  }, 40_000);
});

describe('a service connecting before the cluster can place its stream', () => {
  let late: TestNatsCluster | undefined;
  let lateWrapper: NatsWrapper | undefined;

  afterAll(async () => {
    await lateWrapper?.close();
    await late?.destroy();
  });

  it('keeps trying for its time budget, not for a number of attempts, and then gets the stream', async () => {
    // Two of three nodes elect a meta leader, but a stream of 3 replicas has no third peer
    // ("no suitable peers for placement") until the last node joins.
    late = await startNatsCluster(3, { stopped: ['n3'] });
    const retries: { attempt: number; err: { message: string } }[] = [];
    const logger = pino(
      { level: 'warn' },
      {
        write: (line: string) => {
          const entry = JSON.parse(line);
          if (entry.msg === 'cannot set up the stream yet; retrying') retries.push(entry);
        },
      },
    );
    lateWrapper = new NatsWrapper();
    const connecting = lateWrapper.connect('ticketing', 'late-service', late.url, {
      credentials: late.credentials,
      logger,
      streamReplicas: 3,
      reconnectTimeWait: 100,
      streamSetupTimeoutMs: 60_000,
    });
    let settled = false;
    void connecting.then(
      () => (settled = true),
      () => (settled = true),
    );
    // Past the 30 attempts it used to give up after, it is still waiting for the third peer.
    await waitFor(() => retries.length > 30, { timeoutMs: 30_000, message: 'more than 30 attempts' });
    expect(retries.at(-1)!.err.message).toMatch(/no suitable peers for placement|insufficient resources/);
    expect(settled).toBe(false);

    await late.start('n3');
    await connecting;
    const info = await (await jetstreamManager(lateWrapper.client)).streams.info('ticketing');
    expect(info.config.num_replicas).toBe(3);
  }, 60_000);
});
