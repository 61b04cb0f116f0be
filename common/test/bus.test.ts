import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { startNatsServer, waitFor, type TestNatsServer } from '../src/testing';
import { Subjects } from '../src/events/subjects';
import {
  CreatedPublisher,
  RecordingCreatedListener,
  RecordingUpdatedListener,
  STREAM,
  UpdatedPublisher,
  connectWithStream,
  sleep,
  streamMessageCount,
  ticket,
} from './bus-helpers';

let server: TestNatsServer;
let nc: NatsConnection;
const opened: NatsConnection[] = [];

async function newConnection() {
  const connection = await connectWithStream(server.url);
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
  it('delivers a published event to a listener, which acks it', async () => {
    const listener = new RecordingCreatedListener(nc, 'payments-service');
    await listener.listen();

    const seq = await new CreatedPublisher(nc).publish(ticket(1));

    await waitFor(() => listener.received.length === 1, { message: 'the event' });
    expect(listener.received[0]).toEqual({ data: ticket(1), seq, deliveryCount: 1 });
    const jsm = await jetstreamManager(nc);
    await waitFor(async () => (await jsm.consumers.info(STREAM, listener.durableName)).ack_floor.stream_seq === seq, {
      message: 'the ack',
    });
    await listener.close();
  });

  it('names the durable consumer <queueGroupName>-<subject> and filters it on the subject', async () => {
    const listener = new RecordingCreatedListener(nc, 'payments-service');
    await listener.listen();

    const info = await (await jetstreamManager(nc)).consumers.info(STREAM, 'payments-service-ticket:created');
    expect(info.config.filter_subject).toBe(Subjects.TicketCreated);
    expect(info.config.ack_policy).toBe('explicit');
    expect(info.config.deliver_policy).toBe('all');
    await listener.close();
  });

  it('redelivers an event that was not acked once ackWait has passed', async () => {
    const listener = new RecordingCreatedListener(
      nc,
      'payments-service',
      (_data, msg) => {
        if (msg.info.deliveryCount > 1) msg.ack();
      },
      500,
    );
    await listener.listen();
    const started = Date.now();

    await new CreatedPublisher(nc).publish(ticket(1));

    await waitFor(() => listener.received.length === 2, { message: 'the redelivery' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(listener.received.map((r) => r.deliveryCount)).toEqual([1, 2]);
    await sleep(700);
    expect(listener.received).toHaveLength(2);
    await listener.close();
  });

  it('redelivers an event whose handler throws', async () => {
    const listener = new RecordingCreatedListener(
      nc,
      'payments-service',
      (_data, msg) => {
        if (msg.info.deliveryCount === 1) throw new Error('passing failure');
        msg.ack();
      },
      300,
    );
    await listener.listen();

    await new CreatedPublisher(nc).publish(ticket(1));

    await waitFor(() => listener.received.length === 2, { message: 'the redelivery' });
    expect(listener.received.map((r) => r.deliveryCount)).toEqual([1, 2]);
    await listener.close();
  });

  it('terminates an event whose body cannot be parsed instead of redelivering it', async () => {
    const listener = new RecordingCreatedListener(nc, 'payments-service', (_data, msg) => msg.ack(), 300);
    await listener.listen();
    const js = (await import('@nats-io/jetstream')).jetstream(nc);

    await js.publish(Subjects.TicketCreated, 'not json {');
    await new CreatedPublisher(nc).publish(ticket(2));

    await waitFor(() => listener.received.length === 1, { message: 'the good event' });
    await sleep(800);
    expect(listener.received.map((r) => r.data)).toEqual([ticket(2)]);
    await listener.close();
  });

  it('shares a queue group between instances: each event handled once, every instance gets work', async () => {
    const slowAck = async (_data: unknown, msg: { ack(): void }) => {
      await sleep(20);
      msg.ack();
    };
    const first = new RecordingCreatedListener(await newConnection(), 'payments-service', slowAck);
    const second = new RecordingCreatedListener(await newConnection(), 'payments-service', slowAck);
    await first.listen();
    await second.listen();

    const publisher = new CreatedPublisher(nc);
    for (let n = 0; n < 40; n++) await publisher.publish(ticket(n));

    await waitFor(() => first.received.length + second.received.length >= 40, { message: 'all 40 events' });
    await sleep(300);
    const handled = [...first.received, ...second.received].map((r) => r.data.id).sort();
    expect(handled).toEqual(Array.from({ length: 40 }, (_, n) => `t-${n}`).sort());
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
    expect(created.received.map((r) => r.data.id)).toEqual(['t-1', 't-2']);
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
    await sleep(300);
    expect(after.received.map((r) => r.data.id)).toEqual(['t-3', 't-4']);
    await after.close();
  });

  it('delivers every stored event to a queue group that starts after they were published', async () => {
    const publisher = new CreatedPublisher(nc);
    for (let n = 1; n <= 3; n++) await publisher.publish(ticket(n));

    const late = new RecordingCreatedListener(nc, 'late-service');
    await late.listen();

    await waitFor(() => late.received.length === 3, { message: 'all earlier events' });
    expect(late.received.map((r) => r.data.id)).toEqual(['t-1', 't-2', 't-3']);
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

  it('lets an in-flight handler finish and ack when the listener closes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let acked = false;
    const listener = new RecordingCreatedListener(nc, 'payments-service', async (_data, msg) => {
      await gate;
      msg.ack();
      acked = true;
    });
    await listener.listen();
    await new CreatedPublisher(nc).publish(ticket(1));
    await waitFor(() => listener.received.length === 1, { message: 'the event' });

    const closing = listener.close();
    await sleep(100);
    expect(acked).toBe(false);
    release();
    await closing;

    expect(acked).toBe(true);
    const info = await (await jetstreamManager(nc)).consumers.info(STREAM, listener.durableName);
    expect(info.num_ack_pending).toBe(0);
    expect(info.ack_floor.stream_seq).toBe(1);
  });
});
