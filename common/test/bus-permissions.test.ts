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

  it('reads through its own consumers, which the setup user made, and may make none', async () => {
    const jsm = await jetstreamManager(nc, { checkAPI: false });
    for (const subject of consumes) {
      const durable = `${queueGroup(name)}-${subject}`;
      expect((await jsm.consumers.info('ticketing', durable)).config.filter_subject).toBe(subject);
    }
    const notMine = everySubject.find((subject) => !consumes.includes(subject))!;
    const other = services.find((service) => service.name !== name && service.consumes?.length)!;
    const theirs = `${queueGroup(other.name)}-${other.consumes![0]}`;
    for (const config of [
      { durable_name: `${queueGroup(name)}-${consumes[0] ?? notMine}`, filter_subject: '>' },
      { durable_name: 'spy', filter_subject: notMine },
    ]) {
      await expect(jsm.consumers.add('ticketing', { ...config, ack_policy: AckPolicy.Explicit })).rejects.toThrow(
        /Permissions Violation/,
      );
    }
    await expect(jsm.consumers.info('ticketing', theirs)).rejects.toThrow(/Permissions Violation/);
    await expect(jsm.consumers.delete('ticketing', theirs)).rejects.toThrow(/Permissions Violation/);
  });

  it('cannot reach the stream’s API through the replies JetStream sends: they land in its own account', async () => {
    const jsm = await jetstreamManager(admin);
    const before = await jsm.streams.info('ticketing');
    const durables = (await jsm.consumers.list('ticketing').next()).map((c) => c.name).sort();
    // A subject another service owns, where a JetStream answer must not be stored.
    const foreign = everySubject.find((subject) => !publishes.includes(subject))!;
    const countOf = async (subject: string) =>
      (await jsm.streams.info('ticketing', { subjects_filter: subject })).state.subjects?.[subject] ?? 0;
    const foreignBefore = await countOf(foreign);
    const attacks = ['$JS.API.STREAM.DELETE.ticketing', '$JS.API.STREAM.PURGE.ticketing', foreign];
    for (const reply of attacks) {
      // Its own event, its pulls: each answered to a subject of the stream's API, or another's event.
      if (publishes[0]) nc.publish(publishes[0], '{}', { reply });
      for (const subject of consumes) {
        const durable = `${queueGroup(name)}-${subject}`;
        nc.publish(`$JS.API.CONSUMER.MSG.NEXT.ticketing.${durable}`, JSON.stringify({ batch: 1, no_wait: true }), {
          reply,
        });
        nc.publish(`$JS.API.CONSUMER.INFO.ticketing.${durable}`, '', { reply });
      }
      nc.publish('$JS.API.STREAM.INFO.ticketing', '', { reply });
    }
    // Answered after all of them: a request of its own, the same way, gets its answer.
    await (await jetstreamManager(nc, { checkAPI: false })).streams.info('ticketing');

    const after = await jsm.streams.info('ticketing');
    expect(after.config.subjects).toEqual(before.config.subjects);
    // Nothing purged, nothing stored on another's subject, every consumer still there.
    expect(after.state.first_seq).toBe(before.state.first_seq);
    expect(await countOf(foreign)).toBe(foreignBefore);
    expect((await jsm.consumers.list('ticketing').next()).map((c) => c.name).sort()).toEqual(durables);
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
