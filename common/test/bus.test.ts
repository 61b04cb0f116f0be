import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/transport-node';
import {
  startNatsServer,
  startTcpProxy,
  waitFor,
  waitForConsumers,
  recordOutcomes,
  type TestNatsServer,
} from '../src/testing';
import { Subjects } from '../src/events/subjects';
import { ContractViolationError } from '../src/events/event-contracts';
import { PermanentEventError, RetryLaterError, TransientEventError } from '../src/events/handler-errors';
import {
  CreatedPublisher,
  RecordingCreatedListener,
  RecordingUpdatedListener,
  STREAM,
  UpdatedPublisher,
  connectWithStream,
  consumerInfo,
  sleep,
  streamMessageCount,
  ticket,
  ticketId,
} from './bus-helpers';

let server: TestNatsServer;
let nc: NatsConnection;
const opened: NatsConnection[] = [];

async function newConnection() {
  const connection = await connectWithStream(server);
  opened.push(connection);
  return connection;
}

beforeAll(async () => {
  server = await startNatsServer();
});

beforeEach(async () => {
  nc = await newConnection();
  // Every test starts from an empty stream and no consumers.
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(STREAM);
  nc = await newConnection();
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await server.destroy();
});

describe('Listener and Publisher over JetStream', () => {
  it('delivers a published event to a listener, and acks it once the handler resolves', async () => {
    const listener = new RecordingCreatedListener(nc, 'payments-service');
    const outcomes = recordOutcomes(listener);
    await listener.listen();

    const seq = await new CreatedPublisher(nc).publish(ticket(1));

    await waitFor(() => listener.received.length === 1, { message: 'the event' });
    expect(listener.received[0]).toEqual({ data: ticket(1), seq, deliveryCount: 1 });
    await waitFor(async () => (await consumerInfo(nc, listener.durableName)).ack_floor.stream_seq === seq, {
      message: 'the ack',
    });
    expect(outcomes.map((o) => o.outcome)).toEqual(['ack']);
    await listener.close();
  });

  it('names the durable consumer <queueGroupName>-<subject> and filters it on the subject', async () => {
    const listener = new RecordingCreatedListener(nc, 'payments-service');
    await listener.listen();

    const info = await consumerInfo(nc, 'payments-service-ticket:created');
    expect(info.config.filter_subject).toBe(Subjects.TicketCreated);
    expect(info.config.ack_policy).toBe('explicit');
    expect(info.config.deliver_policy).toBe('all');
    await listener.close();
  });

  it('redelivers to another instance, after ackWait, an event whose instance died while handling it', async () => {
    const doomed = await connectWithStream(server);
    const first = new RecordingCreatedListener(doomed, 'payments-service', () => new Promise(() => {}), {
      ackWait: 500,
    });
    await first.listen();
    const started = Date.now();
    await new CreatedPublisher(nc).publish(ticket(1));
    await waitFor(() => first.received.length === 1, { message: 'the first delivery' });

    await doomed.close();
    // Its handler never returns, as in a process that died: stop pulling without waiting for it.
    void first.close();
    const second = new RecordingCreatedListener(await newConnection(), 'payments-service', undefined, { ackWait: 500 });
    await second.listen();

    await waitFor(() => second.received.length === 1, { message: 'the redelivery' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(second.received[0]!.deliveryCount).toBe(2);
    await second.close();
  });

  it('redelivers an event whose handler throws, with a backoff, and acks it once it succeeds', async () => {
    const listener = new RecordingCreatedListener(
      nc,
      'payments-service',
      async (_data, { deliveryCount }) => {
        if (deliveryCount < 3) throw new Error('passing failure');
      },
      { retryDelayMs: 100 },
    );
    const outcomes = recordOutcomes(listener);
    await listener.listen();

    await new CreatedPublisher(nc).publish(ticket(1));

    await waitFor(() => outcomes.some((o) => o.outcome === 'ack'), { message: 'the ack' });
    expect(outcomes.map((o) => [o.outcome, o.delayMs])).toEqual([
      ['nak', 100],
      ['nak', 200],
      ['ack', undefined],
    ]);
    expect(listener.received.map((r) => r.deliveryCount)).toEqual([1, 2, 3]);
    await listener.close();
  });

  describe('a message that can never succeed', () => {
    /**
     * Waits until the consumer has settled every message of the stream for good (acked or
     * terminated; a nak'd one stays pending): after that nothing will be delivered again.
     */
    async function settled(durable: string) {
      await waitForConsumers(nc, { durables: [durable] });
      return consumerInfo(nc, durable);
    }

    it('is terminated when its body is not JSON, and the events behind it are handled', async () => {
      const listener = new RecordingCreatedListener(nc, 'payments-service');
      const outcomes = recordOutcomes(listener);
      await listener.listen();

      await jetstream(nc).publish(Subjects.TicketCreated, 'not json {');
      await new CreatedPublisher(nc).publish(ticket(2));

      await waitFor(() => listener.received.length === 1, { message: 'the good event' });
      const info = await settled(listener.durableName);
      expect(info.num_redelivered).toBe(0);
      expect(listener.received.map((r) => r.data)).toEqual([ticket(2)]);
      expect(outcomes.map((o) => o.outcome)).toEqual(['term', 'ack']);
      expect(outcomes[0]!.reason).toMatch(/^body is not JSON/);
      expect(listener.terminated).toBe(1);
      await listener.close();
    });

    it('is terminated when its body breaks the contract, naming what is wrong', async () => {
      const listener = new RecordingCreatedListener(nc, 'payments-service');
      const outcomes = recordOutcomes(listener);
      await listener.listen();

      await jetstream(nc).publish(Subjects.TicketCreated, JSON.stringify({ ...ticket(1), price: 'ten' }));

      await waitFor(() => outcomes.length === 1, { message: 'the outcome' });
      const info = await settled(listener.durableName);
      expect(info.num_redelivered).toBe(0);
      expect(listener.received).toEqual([]);
      expect(outcomes[0]).toMatchObject({ outcome: 'term', reason: expect.stringContaining('price') });
      await listener.close();
    });

    it('is terminated after maxDeliver failed deliveries, without blocking the events behind it', async () => {
      const poisoned = ticketId(1);
      const listener = new RecordingCreatedListener(
        nc,
        'payments-service',
        async (data) => {
          if (data.id === poisoned) throw new Error('a bug in the handler');
        },
        { maxDeliver: 3, retryDelayMs: 50 },
      );
      const outcomes = recordOutcomes(listener);
      await listener.listen();

      await new CreatedPublisher(nc).publish(ticket(1));
      await new CreatedPublisher(nc).publish(ticket(2));

      await waitFor(() => outcomes.some((o) => o.outcome === 'term'), { message: 'the termination' });
      const info = await settled(listener.durableName);
      expect(info.num_ack_pending).toBe(0);
      const forPoisoned = outcomes.filter((o) => o.seq === 1).map((o) => o.outcome);
      expect(forPoisoned).toEqual(['nak', 'nak', 'term']);
      expect(listener.received.filter((r) => r.data.id === poisoned)).toHaveLength(3);
      expect(outcomes.find((o) => o.seq === 2)?.outcome).toBe('ack');
      expect(listener.terminated).toBe(1);
      await listener.close();
    });

    it('is terminated at once when the handler says it never will succeed', async () => {
      const listener = new RecordingCreatedListener(nc, 'payments-service', async () => {
        throw new PermanentEventError('refers to nothing we know');
      });
      const outcomes = recordOutcomes(listener);
      await listener.listen();

      await new CreatedPublisher(nc).publish(ticket(1));

      await waitFor(() => outcomes.length === 1, { message: 'the outcome' });
      const info = await settled(listener.durableName);
      expect(info.num_redelivered).toBe(0);
      expect(listener.received).toHaveLength(1);
      expect(outcomes[0]).toMatchObject({ outcome: 'term', reason: 'refers to nothing we know' });
      await listener.close();
    });
  });

  it('keeps retrying through a passing failure (a dependency away) past maxDeliver', async () => {
    const listener = new RecordingCreatedListener(
      nc,
      'payments-service',
      async (_data, { deliveryCount }) => {
        if (deliveryCount <= 4) throw new TransientEventError('database away');
      },
      { maxDeliver: 2, retryDelayMs: 20 },
    );
    const outcomes = recordOutcomes(listener);
    await listener.listen();

    await new CreatedPublisher(nc).publish(ticket(1));

    await waitFor(() => outcomes.some((o) => o.outcome === 'ack'), { message: 'the ack' });
    expect(outcomes.map((o) => o.outcome)).toEqual(['nak', 'nak', 'nak', 'nak', 'ack']);
    expect(listener.terminated).toBe(0);
    await listener.close();
  });

  it('redelivers an event that came too early after a short, growing delay, without counting it as a failure', async () => {
    const listener = new RecordingCreatedListener(
      nc,
      'orders-service',
      async (_data, { deliveryCount }) => {
        if (deliveryCount <= 3) throw new RetryLaterError('version 2 before version 1');
      },
      { maxDeliver: 2 },
    );
    const outcomes = recordOutcomes(listener);
    await listener.listen();

    await new CreatedPublisher(nc).publish(ticket(1));

    await waitFor(() => outcomes.some((o) => o.outcome === 'ack'), { message: 'the ack' });
    expect(outcomes.map((o) => [o.outcome, o.delayMs])).toEqual([
      ['nak', 200],
      ['nak', 400],
      ['nak', 800],
      ['ack', undefined],
    ]);
    await listener.close();
  });

  it('terminates an event that is still too early after maxEarlyDeliveries', async () => {
    const listener = new RecordingCreatedListener(
      nc,
      'orders-service',
      async () => {
        throw new RetryLaterError('version 2 before version 1');
      },
      { maxEarlyDeliveries: 2 },
    );
    const outcomes = recordOutcomes(listener);
    await listener.listen();

    await new CreatedPublisher(nc).publish(ticket(1));

    await waitFor(() => outcomes.some((o) => o.outcome === 'term'), { message: 'the termination' });
    expect(outcomes.map((o) => o.outcome)).toEqual(['nak', 'term']);
    expect(outcomes[1]!.reason).toMatch(/still too early after 2 deliveries/);
    await listener.close();
  });

  it('hands an old listener a newer event with a field it does not know, without that field', async () => {
    const listener = new RecordingCreatedListener(nc, 'payments-service');
    const outcomes = recordOutcomes(listener);
    await listener.listen();

    await jetstream(nc).publish(Subjects.TicketCreated, JSON.stringify({ ...ticket(1), parking: 'Lot B' }));

    await waitFor(() => outcomes.length === 1, { message: 'the outcome' });
    expect(outcomes[0]!.outcome).toBe('ack');
    expect(listener.received[0]!.data).toEqual(ticket(1));
    await listener.close();
  });

  it('refuses to publish a body that breaks its contract, storing nothing', async () => {
    const publisher = new CreatedPublisher(nc);

    await expect(publisher.publish({ ...ticket(1), id: 'not-a-uuid' })).rejects.toThrow(ContractViolationError);
    await expect(publisher.publish({ ...ticket(1), price: -1 })).rejects.toThrow(/price/);

    expect(await streamMessageCount(nc)).toBe(0);
  });

  it('shares a queue group between instances: each event handled once, every instance gets work', async () => {
    // Slow enough that the first instance cannot take every event before the second asks.
    const slow = async () => void (await sleep(20));
    const first = new RecordingCreatedListener(await newConnection(), 'payments-service', slow);
    const second = new RecordingCreatedListener(await newConnection(), 'payments-service', slow);
    await first.listen();
    await second.listen();

    const publisher = new CreatedPublisher(nc);
    for (let n = 0; n < 40; n++) await publisher.publish(ticket(n));

    await waitFor(() => first.received.length + second.received.length >= 40, { message: 'all 40 events' });
    // Once every event is acked nothing is delivered again: what they received is all they will.
    await waitForConsumers(nc, { durables: [first.durableName] });
    const handled = [...first.received, ...second.received].map((r) => r.data.id).sort();
    expect(handled).toEqual(Array.from({ length: 40 }, (_, n) => ticketId(n)).sort());
    expect(first.received.length).toBeGreaterThan(0);
    expect(second.received.length).toBeGreaterThan(0);
    await Promise.all([first.close(), second.close()]);
  });

  it('keeps two subjects of one queue group apart: each listener keeps receiving its own subject', async () => {
    const created = new RecordingCreatedListener(nc, 'orders-service');
    const updated = new RecordingUpdatedListener(nc, 'orders-service');
    await created.listen();
    await updated.listen();

    await new CreatedPublisher(nc).publish(ticket(1));
    await new UpdatedPublisher(nc).publish({ ...ticket(1), version: 1 });
    await new CreatedPublisher(nc).publish(ticket(2));
    await new UpdatedPublisher(nc).publish({ ...ticket(2), version: 1 });

    await waitFor(() => created.received.length === 2 && updated.received.length === 2, { message: 'both subjects' });
    expect(created.received.map((r) => r.data.id)).toEqual([ticketId(1), ticketId(2)]);
    expect(updated.received.map((r) => r.version)).toEqual([1, 1]);
    await Promise.all([created.close(), updated.close()]);
  });

  it('resumes after the last acked event when a listener of the same queue group restarts (durable)', async () => {
    const publisher = new CreatedPublisher(nc);
    const firstProcess = await newConnection();
    const before = new RecordingCreatedListener(firstProcess, 'payments-service');
    await before.listen();
    await publisher.publish(ticket(1));
    await publisher.publish(ticket(2));
    await waitFor(() => before.received.length === 2, { message: 'the first two events' });
    // The process stops as a service does: listener closed, connection drained.
    await before.close();
    await firstProcess.drain();

    await publisher.publish(ticket(3));
    await publisher.publish(ticket(4));
    const after = new RecordingCreatedListener(await newConnection(), 'payments-service');
    await after.listen();

    await waitFor(() => after.received.length === 2, { message: 'the events published while away' });
    // Once everything is acked nothing is delivered again: events 1 and 2 will not come back.
    await waitForConsumers(nc, { durables: [after.durableName] });
    expect(after.received.map((r) => r.data.id)).toEqual([ticketId(3), ticketId(4)]);
    await after.close();
  });

  it('delivers every stored event to a queue group that starts after they were published', async () => {
    const publisher = new CreatedPublisher(nc);
    for (let n = 1; n <= 3; n++) await publisher.publish(ticket(n));

    const late = new RecordingCreatedListener(nc, 'late-service');
    await late.listen();

    await waitFor(() => late.received.length === 3, { message: 'all earlier events' });
    expect(late.received.map((r) => r.data.id)).toEqual([ticketId(1), ticketId(2), ticketId(3)]);
    await late.close();
  });

  it('stores an event once when it is published twice with the same message id', async () => {
    const publisher = new CreatedPublisher(nc);
    const msgId = randomUUID();

    const first = await publisher.publish(ticket(1), { msgId });
    const second = await publisher.publish(ticket(1), { msgId });

    expect(second).toBe(first);
    expect(await streamMessageCount(nc)).toBe(1);
  });

  it('gives the handler the message id, sequence and delivery count, and never the means to ack', async () => {
    const contexts: unknown[] = [];
    const listener = new RecordingCreatedListener(nc, 'payments-service', async (_data, context) => {
      contexts.push(context);
    });
    await listener.listen();
    const msgId = randomUUID();

    const seq = await new CreatedPublisher(nc).publish(ticket(1), { msgId });

    await waitFor(() => contexts.length === 1, { message: 'the event' });
    expect(contexts[0]).toEqual({
      subject: Subjects.TicketCreated,
      seq,
      msgId,
      deliveryCount: 1,
      timestamp: expect.any(Date),
    });
    await listener.close();
  });

  it('hands nothing published after close() resolves to the closed instance, though its link is slow', async () => {
    // The closing instance's bytes reach the server late: without a round trip in close(),
    // its pull is still open there when a publish from another connection arrives.
    const proxy = await startTcpProxy(server.port);
    const slow = await server.connect({ servers: `127.0.0.1:${proxy.port}` });
    const after = new RecordingCreatedListener(nc, 'payments-service', undefined, { ackWait: 60_000 });
    try {
      const before = new RecordingCreatedListener(slow, 'payments-service', undefined, { ackWait: 60_000 });
      await before.listen();
      await waitFor(async () => (await consumerInfo(nc, before.durableName)).num_waiting > 0, {
        message: 'its pull at the server',
      });
      proxy.delayMs = 300;
      await before.close();

      await new CreatedPublisher(nc).publish(ticket(1));
      await after.listen();

      // Handed to the closed pull, it would come back only after the 60 s ackWait.
      await waitFor(() => after.received.length === 1, { message: 'the event at the next instance' });
      expect(after.received[0]!.deliveryCount).toBe(1);
      expect(before.received).toEqual([]);
    } finally {
      await after.close();
      await slow.close();
      await proxy.close();
    }
  });

  it('lets an in-flight handler finish and be acked when the listener closes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let finished = false;
    const listener = new RecordingCreatedListener(nc, 'payments-service', async () => {
      await gate;
      finished = true;
    });
    await listener.listen();
    await new CreatedPublisher(nc).publish(ticket(1));
    await waitFor(() => listener.received.length === 1, { message: 'the event' });

    const closing = listener.close();
    let finishedWhenClosed: boolean | undefined;
    void closing.then(() => (finishedWhenClosed = finished));
    // A round trip to the server while close() waits: the event is still in flight, unacked.
    expect((await consumerInfo(nc, listener.durableName)).num_ack_pending).toBe(1);
    expect(finished).toBe(false);
    expect(finishedWhenClosed).toBeUndefined();
    release();
    await closing;
    expect(finishedWhenClosed).toBe(true);
    // What a service does next: drain, which flushes the ack.
    await nc.drain();

    expect(finished).toBe(true);
    const check = await server.connect();
    const info = await (await jetstreamManager(check)).consumers.info(STREAM, listener.durableName);
    await check.close();
    expect(info.num_ack_pending).toBe(0);
    expect(info.ack_floor.stream_seq).toBe(1);
  });
});
