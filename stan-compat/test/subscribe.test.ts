import { startNatsServer, waitFor, type TestNatsServer } from '@ticketing/common/testing';
import { StartPosition, type Message, type Stan } from '../src';
import { BAD_SUBJECT, BAD_SUBSCRIPTION, INVALID_SUBJECT } from '../src/errors';
import {
  cleanUp,
  connectStan,
  consumerNames,
  fence,
  FENCE,
  inspector,
  newCluster,
  nextEvent,
  publish,
  receivedCount,
  settled,
  sleep,
  subscribe,
} from './helpers';

let server: TestNatsServer;
let cluster: string;
let stan: Stan;

beforeAll(async () => {
  server = await startNatsServer({ stream: null });
});

beforeEach(async () => {
  cluster = newCluster();
  stan = await connectStan(cluster, 'abc', { url: server.url });
});

afterEach(() => cleanUp(server.url));

afterAll(async () => {
  await server.destroy();
});

async function publishAll(...data: string[]) {
  for (const item of data) await publish(stan, 'ticket:created', item);
}

describe('where a subscription starts', () => {
  it('by default, with the messages published after it is ready', async () => {
    await publishAll('before');
    const recorder = await subscribe(stan, 'ticket:created');

    await publishAll('after');

    await receivedCount(recorder, 1);
    await settled(server.url, cluster);
    await fence(stan, recorder);
    expect(recorder.data()).toEqual(['after', FENCE]);
  });

  it('setDeliverAllAvailable: with the first message stored on its subject', async () => {
    await publishAll('a', 'b');
    await publish(stan, 'other:subject', 'not mine');
    const recorder = await subscribe(
      stan,
      'ticket:created',
      undefined,
      stan.subscriptionOptions().setDeliverAllAvailable(),
    );

    await publishAll('c');

    await receivedCount(recorder, 3);
    await settled(server.url, cluster);
    await fence(stan, recorder);
    expect(recorder.data()).toEqual(['a', 'b', 'c', FENCE]);
  });

  it('setStartWithLastReceived: with the last message stored on its subject', async () => {
    await publishAll('a', 'b');
    await publish(stan, 'other:subject', 'not mine');
    const recorder = await subscribe(
      stan,
      'ticket:created',
      undefined,
      stan.subscriptionOptions().setStartWithLastReceived(),
    );

    await publishAll('c');

    await receivedCount(recorder, 2);
    await settled(server.url, cluster);
    await fence(stan, recorder);
    expect(recorder.data()).toEqual(['b', 'c', FENCE]);
  });

  it('setStartAtSequence: with the message at that stream sequence', async () => {
    await publishAll('1', '2', '3', '4');
    const recorder = await subscribe(
      stan,
      'ticket:created',
      undefined,
      stan.subscriptionOptions().setStartAtSequence(3),
    );

    await receivedCount(recorder, 2);
    await settled(server.url, cluster);
    await fence(stan, recorder);
    expect(recorder.data()).toEqual(['3', '4', FENCE]);
    expect(recorder.received.map((m) => m.getSequence())).toEqual([3, 4, 5]);
  });

  it('setStartTime: with the messages stored at or after that time', async () => {
    await publishAll('old');
    // Set-up: time between the two messages, so that the start time falls clearly between them.
    await sleep(300);
    const since = new Date();
    await sleep(300);
    await publishAll('new');
    const recorder = await subscribe(stan, 'ticket:created', undefined, stan.subscriptionOptions().setStartTime(since));

    await receivedCount(recorder, 1);
    await settled(server.url, cluster);
    await fence(stan, recorder);
    expect(recorder.data()).toEqual(['new', FENCE]);
  });

  it('setStartAtTimeDelta: with the messages stored in the last milliseconds given', async () => {
    await publishAll('old');
    // Set-up: ages the first message beyond the 1 s delta, the second stays within it.
    await sleep(2_000);
    await publishAll('new');
    const recorder = await subscribe(
      stan,
      'ticket:created',
      undefined,
      stan.subscriptionOptions().setStartAtTimeDelta(1_000),
    );

    await receivedCount(recorder, 1);
    await settled(server.url, cluster);
    await fence(stan, recorder);
    expect(recorder.data()).toEqual(['new', FENCE]);
  });

  it('setStartAt(StartPosition.FIRST) is setDeliverAllAvailable', async () => {
    await publishAll('a');
    const recorder = await subscribe(
      stan,
      'ticket:created',
      undefined,
      stan.subscriptionOptions().setStartAt(StartPosition.FIRST),
    );

    await receivedCount(recorder, 1);
    expect(recorder.data()).toEqual(['a']);
  });
});

describe('a message', () => {
  it('reads as node-nats-streaming messages did', async () => {
    const before = Date.now();
    await publish(stan, 'other:subject', 'moves the stream sequence on');
    const recorder = await subscribe(stan, 'ticket:created');
    await publishAll('hello');
    await receivedCount(recorder, 1);
    const msg = recorder.received[0]!;

    expect(msg.getSubject()).toBe('ticket:created');
    expect(msg.getSequence()).toBe(2);
    expect(msg.getData()).toBe('hello');
    expect(msg.getRawData()).toEqual(Buffer.from('hello'));
    expect(msg.getTimestamp().getTime()).toBeGreaterThanOrEqual(before - 1_000);
    expect(msg.getTimestamp().getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
    expect(Math.floor(msg.getTimestampRaw() / 1e6)).toBe(msg.getTimestamp().getTime());
    expect(msg.isRedelivered()).toBe(false);
    expect(msg.getRedeliveryCount()).toBe(0);
    expect(msg.getCrc32()).toBe(0x3610a686);
  });

  it("comes as bytes from getData() when the client's stanEncoding is binary", async () => {
    const binary = await connectStan(cluster, 'binary', { url: server.url, stanEncoding: 'binary' });
    const recorder = await subscribe(binary, 'ticket:created');

    await publishAll('bytes');

    await receivedCount(recorder, 1);
    expect(recorder.received[0]!.getData()).toEqual(Buffer.from('bytes'));
  });
});

/**
 * Waits until the stream's one consumer has delivered up to stream sequence `seq` and holds
 * the rest back with 2 unacked, though its subscription has a pull waiting for more: nothing
 * beyond `seq` has been sent.
 */
async function heldBack(seq: number): Promise<void> {
  const { jsm } = await inspector(server.url);
  const [name] = await consumerNames(jsm, cluster);
  await waitFor(
    async () => {
      const info = await jsm.consumers.info(cluster, name!);
      return (
        info.delivered.stream_seq === seq &&
        info.num_ack_pending === 2 &&
        info.num_pending === 5 - seq &&
        info.num_waiting > 0
      );
    },
    { message: `the consumer to hold back what follows ${seq}` },
  );
}

describe('acknowledgements', () => {
  it('without manual ack mode, a message is acked once its listeners return, and not delivered again', async () => {
    const recorder = await subscribe(stan, 'ticket:created', undefined, stan.subscriptionOptions().setAckWait(1_000));

    await publishAll('once');
    await receivedCount(recorder, 1);
    // The server has the ack (so it will not redeliver), and the fence shows nothing came meanwhile.
    await settled(server.url, cluster);
    await fence(stan, recorder);

    expect(recorder.data()).toEqual(['once', FENCE]);
  });

  it('without manual ack mode, a listener that throws leaves the message unacked: error, then redelivery', async () => {
    let calls = 0;
    const recorder = await subscribe(
      stan,
      'ticket:created',
      undefined,
      stan.subscriptionOptions().setAckWait(1_000),
      () => {
        if (++calls === 1) throw new Error('handler failed');
      },
    );
    const error = nextEvent<[Error]>(recorder.sub, 'error');

    await publishAll('retried');

    expect((await error)[0].message).toBe('handler failed');
    await receivedCount(recorder, 2);
    expect(recorder.received[1]!.isRedelivered()).toBe(true);
    expect(recorder.received[1]!.getRedeliveryCount()).toBe(1);
  });

  it('in manual ack mode, an unacked message comes again after the ack wait, not before; an acked one does not', async () => {
    const arrivals: number[] = [];
    const recorder = await subscribe(
      stan,
      'ticket:created',
      undefined,
      stan.subscriptionOptions().setManualAckMode(true).setAckWait(2_000),
      (msg) => {
        arrivals.push(Date.now());
        if (msg.getData() === 'acked' || msg.isRedelivered()) msg.ack();
      },
    );

    const published = Date.now();
    await publishAll('acked', 'not acked');
    await receivedCount(recorder, 3);

    // Not before: the ack wait runs from the first delivery, which came after `published`
    // (50 ms allowed for the clocks' granularity).
    expect(arrivals[2]! - published).toBeGreaterThanOrEqual(1_950);
    expect(recorder.data()).toEqual(['acked', 'not acked', 'not acked']);
    const again = recorder.received[2]!;
    expect([again.getData(), again.isRedelivered(), again.getRedeliveryCount()]).toEqual(['not acked', true, 1]);
    // Both acked now, so neither comes again; the fence shows nothing else came meanwhile.
    await settled(server.url, cluster);
    await fence(stan, recorder);
    expect(recorder.data()).toEqual(['acked', 'not acked', 'not acked', FENCE]);
  });

  it('setMaxInFlight: the server holds back messages beyond that many unacked', async () => {
    const held: Message[] = [];
    const recorder = await subscribe(
      stan,
      'ticket:created',
      undefined,
      stan.subscriptionOptions().setManualAckMode(true).setMaxInFlight(2),
      (msg) => held.push(msg),
    );

    await publishAll('1', '2', '3', '4', '5');
    await receivedCount(recorder, 2);
    await heldBack(2);
    expect(recorder.data()).toEqual(['1', '2']);

    held.shift()!.ack();
    await receivedCount(recorder, 3);
    await heldBack(3);
    expect(recorder.data()).toEqual(['1', '2', '3']);
    for (const msg of held.splice(0)) msg.ack();
    await receivedCount(recorder, 5);
    for (const msg of held.splice(0)) msg.ack();
  });
});

describe('subscription events and ending', () => {
  it('emits ready, then closed after close(); a second close() emits an invalid subscription error', async () => {
    const recorder = await subscribe(stan, 'ticket:created');
    expect(recorder.sub.isClosed()).toBe(false);

    recorder.sub.close();
    await nextEvent(recorder.sub, 'closed');
    expect(recorder.sub.isClosed()).toBe(true);

    recorder.sub.close();
    const [error] = await nextEvent<[Error]>(recorder.sub, 'error');
    expect(error.message).toBe(BAD_SUBSCRIPTION);
  });

  it('emits unsubscribed after unsubscribe(), and delivers nothing more', async () => {
    const { jsm } = await inspector(server.url);
    const recorder = await subscribe(stan, 'ticket:created');

    recorder.sub.unsubscribe();
    await nextEvent(recorder.sub, 'unsubscribed');
    // Its consumer is gone, so nothing can reach it any more: a new subscription of the same
    // client gets the next message, and the unsubscribed one does not.
    expect(await consumerNames(jsm, cluster)).toEqual([]);
    const witness = await subscribe(stan, 'ticket:created');
    await publishAll('too late');
    await receivedCount(witness, 1);

    expect(recorder.received).toHaveLength(0);
  });

  it('removes the consumer of a subscription that is not durable on close(), unsubscribe() and the client closing', async () => {
    const { jsm } = await inspector(server.url);
    const closed = await subscribe(stan, 'ticket:created');
    const unsubscribed = await subscribe(stan, 'ticket:created');
    await subscribe(stan, 'ticket:created');
    expect(await consumerNames(jsm, cluster)).toHaveLength(3);

    closed.sub.close();
    unsubscribed.sub.unsubscribe();
    await Promise.all([nextEvent(closed.sub, 'closed'), nextEvent(unsubscribed.sub, 'unsubscribed')]);
    expect(await consumerNames(jsm, cluster)).toHaveLength(1);

    const clientClosed = nextEvent(stan, 'close');
    stan.close();
    await clientClosed;
    expect(await consumerNames(jsm, cluster)).toHaveLength(0);
  });

  it('emits error for a missing subject, and error then unsubscribed for one with wildcards', async () => {
    const [missing] = await nextEvent<[Error]>(stan.subscribe(''), 'error');
    expect(missing.message).toBe(BAD_SUBJECT);

    const wildcard = stan.subscribe('ticket.>');
    const events: string[] = [];
    wildcard.on('error', (error) => events.push(error.message));
    wildcard.on('unsubscribed', () => events.push('unsubscribed'));
    await waitFor(() => events.length === 2, { message: 'error and unsubscribed' });
    expect(events).toEqual([INVALID_SUBJECT, 'unsubscribed']);
  });

  it('takes options as its second argument when there is no queue group', async () => {
    await publishAll('stored');
    const sub = stan.subscribe('ticket:created', stan.subscriptionOptions().setDeliverAllAvailable());
    const received: string[] = [];
    sub.on('message', (msg: Message) => received.push(String(msg.getData())));

    await waitFor(() => received.length === 1, { message: 'the stored message' });
    expect(received).toEqual(['stored']);
    expect(sub.qGroup).toBeUndefined();
  });
});
