import { jetstream, jetstreamManager, AckPolicy } from '@nats-io/jetstream';
import { nkeyAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { createUser } from '@nats-io/nkeys';
import { queueGroup } from '../lib/bus-permissions.cjs';
import { Subjects } from '../src/events/subjects';
import { busServices, startNatsServer, type TestNatsServer } from '../src/testing';

/** Every service that is on the bus, with what services.json says it publishes and consumes. */
const services = busServices().filter((service) => service.publishes?.length || service.consumes?.length);
const everySubject = Object.values(Subjects) as string[];

let server: TestNatsServer;
let admin: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer();
  admin = await server.connect();
});

afterAll(async () => {
  await admin?.close();
  await server?.destroy();
});

/** Connects as a service's own user, with the inbox its permissions allow. */
function connectAs(name: string): Promise<NatsConnection> {
  const seed = server.seedOf(name)!;
  return server.connect({
    user: undefined,
    pass: undefined,
    authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)),
    inboxPrefix: `_INBOX_${name}`,
  });
}

async function streamCount(): Promise<number> {
  return (await (await jetstreamManager(admin)).streams.info('ticketing')).state.messages;
}

describe.each(services)('$name’s user on the bus', ({ name, publishes = [], consumes = [] }) => {
  let nc: NatsConnection;

  beforeAll(async () => {
    nc = await connectAs(name);
  });

  afterAll(async () => {
    await nc?.close();
  });

  it.each(everySubject.filter((subject) => !publishes.includes(subject)))(
    'may not publish %s: refused by the server, and nothing reaches the stream',
    async (subject) => {
      const before = await streamCount();

      await expect(jetstream(nc).publish(subject, '{}')).rejects.toThrow(/Permissions Violation for Publish/);

      expect(await streamCount()).toBe(before);
    },
  );

  it.each(publishes)('may publish its own %s', async (subject) => {
    await expect(jetstream(nc).publish(subject, '{}')).resolves.toMatchObject({ stream: 'ticketing' });
  });

  it('may neither delete, purge nor change the stream', async () => {
    const jsm = await jetstreamManager(nc, { checkAPI: false });

    await expect(jsm.streams.delete('ticketing')).rejects.toThrow(/Permissions Violation/);
    await expect(jsm.streams.purge('ticketing')).rejects.toThrow(/Permissions Violation/);
    await expect(jsm.streams.update('ticketing', { subjects: ['anything'] })).rejects.toThrow(/Permissions Violation/);
    expect((await (await jetstreamManager(admin)).streams.info('ticketing')).config.subjects).toEqual(everySubject);
  });

  it('may create and read its own durable consumers, and no one else’s', async () => {
    const jsm = await jetstreamManager(nc, { checkAPI: false });
    for (const subject of consumes) {
      const durable = `${queueGroup(name)}-${subject}`;
      await jsm.consumers.add('ticketing', {
        durable_name: durable,
        filter_subject: subject,
        ack_policy: AckPolicy.Explicit,
      });
      expect((await jsm.consumers.info('ticketing', durable)).config.filter_subject).toBe(subject);
    }
    // Another's durable, or one of its own name on a subject it does not consume: refused.
    const other = services.find((service) => service.name !== name)!;
    const notMine = everySubject.find((subject) => !consumes.includes(subject))!;
    await expect(
      jsm.consumers.add('ticketing', {
        durable_name: `${queueGroup(other.name)}-${notMine}`,
        filter_subject: notMine,
        ack_policy: AckPolicy.Explicit,
      }),
    ).rejects.toThrow(/Permissions Violation/);
    await expect(
      jsm.consumers.add('ticketing', { durable_name: 'spy', filter_subject: notMine, ack_policy: AckPolicy.Explicit }),
    ).rejects.toThrow(/Permissions Violation/);
  });
});

describe('who may connect', () => {
  it('nobody without a credential', async () => {
    await expect(server.connect({ user: undefined, pass: undefined })).rejects.toThrow(/Authorization Violation/);
  });

  it('nobody with a key the server does not know', async () => {
    const stranger = new TextDecoder().decode(createUser().getSeed());

    await expect(
      server.connect({
        user: undefined,
        pass: undefined,
        authenticator: nkeyAuthenticator(new TextEncoder().encode(stranger)),
      }),
    ).rejects.toThrow(/Authorization Violation/);
  });
});
