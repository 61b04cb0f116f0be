import { nanos } from '@nats-io/transport-node';
import { startNatsServer, type TestNatsServer } from '@ticketing/common/testing';
import type { Message, Stan } from '../src';
import { DUPLICATE_DURABLE } from '../src/errors';
import {
  cleanUp,
  closeStan,
  connectStan,
  consumerInfo,
  fence,
  FENCE,
  inspector,
  newCluster,
  nextEvent,
  publish,
  receivedCount,
  settled,
  subscribe,
} from './helpers';

let server: TestNatsServer;
let cluster: string;

beforeAll(async () => {
  server = await startNatsServer({ stream: null });
});

beforeEach(() => {
  cluster = newCluster();
});

afterEach(() => cleanUp(server.url));

afterAll(async () => {
  await server.destroy();
});

const SUBJECT = 'ticket:created';

function start(clientId: string): Promise<Stan> {
  return connectStan(cluster, clientId, { url: server.url });
}

/** The reference design's durable options: manual acks, from the start, durable `accounting-service`. */
function durableOptions(stan: Stan) {
  return stan
    .subscriptionOptions()
    .setManualAckMode(true)
    .setDeliverAllAvailable()
    .setDurableName('accounting-service');
}

const ack = (msg: Message) => msg.ack();

describe('a durable subscription without a queue group', () => {
  it('resumes after its client restarts, with what it had not acked', async () => {
    const first = await start('abc');
    await publish(first, SUBJECT, '1');
    await publish(first, SUBJECT, '2');
    const before = await subscribe(first, SUBJECT, undefined, durableOptions(first), (msg) => {
      if (msg.getData() === '1') msg.ack();
    });
    await receivedCount(before, 2);
    await closeStan(first);

    const publisher = await start('publisher');
    await publish(publisher, SUBJECT, '3');
    const restarted = await start('abc');
    const after = await subscribe(restarted, SUBJECT, undefined, durableOptions(restarted), ack);

    await receivedCount(after, 2);
    await settled(server.url, cluster);
    await fence(restarted, after);
    expect(after.data()).toEqual(['2', '3', FENCE]);
  });

  it('belongs to its client id: another client with the same durable name starts its own', async () => {
    const abc = await start('abc');
    await publish(abc, SUBJECT, '1');
    const mine = await subscribe(abc, SUBJECT, undefined, durableOptions(abc), ack);
    await receivedCount(mine, 1);

    const xyz = await start('xyz');
    const theirs = await subscribe(xyz, SUBJECT, undefined, durableOptions(xyz), ack);

    await receivedCount(theirs, 1);
    expect(theirs.data()).toEqual(['1']);
    const { jsm } = await inspector(server.url);
    expect(await consumerInfo(jsm, cluster, 'abc-accounting-service-ticket:created')).toBeDefined();
    expect(await consumerInfo(jsm, cluster, 'xyz-accounting-service-ticket:created')).toBeDefined();
  });

  it('close() keeps its position: the next subscription gets only what came after', async () => {
    const stan = await start('abc');
    await publish(stan, SUBJECT, '1');
    const first = await subscribe(stan, SUBJECT, undefined, durableOptions(stan), ack);
    await receivedCount(first, 1);

    first.sub.close();
    await nextEvent(first.sub, 'closed');
    const { jsm } = await inspector(server.url);
    expect(await consumerInfo(jsm, cluster, 'abc-accounting-service-ticket:created')).toBeDefined();
    await publish(stan, SUBJECT, '2');
    const second = await subscribe(stan, SUBJECT, undefined, durableOptions(stan), ack);

    await receivedCount(second, 1);
    await settled(server.url, cluster);
    await fence(stan, second);
    expect(second.data()).toEqual(['2', FENCE]);
  });

  it('unsubscribe() removes it: the next subscription starts afresh', async () => {
    const stan = await start('abc');
    await publish(stan, SUBJECT, '1');
    const first = await subscribe(stan, SUBJECT, undefined, durableOptions(stan), ack);
    await receivedCount(first, 1);

    first.sub.unsubscribe();
    await nextEvent(first.sub, 'unsubscribed');
    const { jsm } = await inspector(server.url);
    expect(await consumerInfo(jsm, cluster, 'abc-accounting-service-ticket:created')).toBeUndefined();
    await publish(stan, SUBJECT, '2');
    const second = await subscribe(stan, SUBJECT, undefined, durableOptions(stan), ack);

    await receivedCount(second, 2);
    expect(second.data()).toEqual(['1', '2']);
  });

  it('is refused to a second subscription of the same client while the first is open', async () => {
    const stan = await start('abc');
    await subscribe(stan, SUBJECT, undefined, durableOptions(stan));

    const [error] = await nextEvent<[Error]>(stan.subscribe(SUBJECT, durableOptions(stan)), 'error');

    expect(error.message).toBe(DUPLICATE_DURABLE);
  });

  it('keeps its position when resumed with another start, and takes the new ack wait and max in flight', async () => {
    const stan = await start('abc');
    await publish(stan, SUBJECT, '1');
    const first = await subscribe(stan, SUBJECT, undefined, durableOptions(stan).setAckWait(30_000), ack);
    await receivedCount(first, 1);
    first.sub.close();
    await nextEvent(first.sub, 'closed');

    await publish(stan, SUBJECT, '2');
    const resumed = await subscribe(
      stan,
      SUBJECT,
      undefined,
      durableOptions(stan).setStartAtSequence(1).setAckWait(3_000).setMaxInFlight(7),
      ack,
    );

    await receivedCount(resumed, 1);
    await settled(server.url, cluster);
    await fence(stan, resumed);
    expect(resumed.data()).toEqual(['2', FENCE]);
    const { jsm } = await inspector(server.url);
    const info = await consumerInfo(jsm, cluster, 'abc-accounting-service-ticket:created');
    expect(info?.config.ack_wait).toBe(nanos(3_000));
    expect(info?.config.max_ack_pending).toBe(7);
  });
});
