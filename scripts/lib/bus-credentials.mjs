// The local bus's users: a credential per service, the runner's own (it sets the stream and
// the consumers up) and the demo scripts', made on first start under DATA_DIR/credentials
// (owner-only, kept across runs like the JWT key), and the nats-server configuration that
// lets each do only what it owns (common/lib/bus-permissions.cjs).
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createUser, fromSeed } from '@nats-io/nkeys';
import { busConsumers, onBus, serverConfig } from '@ticketing/common/bus-permissions';

/** The runner's own user on its nats-server: it may do anything (it creates the stream). */
export const RUNNER_USER = 'runner';
/** The user of `npm run publish`/`listen` and their STAN forms (nats-test). */
export const DEMO_USER = 'demo';

/** The folder of the credentials. */
export function credentialsDir(dataDir) {
  return path.join(dataDir, 'credentials');
}

/** The file holding `name`'s nkey seed. */
export function seedFile(dataDir, name) {
  return path.join(credentialsDir(dataDir), `${name}.nk`);
}

/** Reads `name`'s seed, making it on first use; resolves with the seed and its public key. */
function keyOf(dataDir, name) {
  const file = seedFile(dataDir, name);
  if (!existsSync(file)) {
    writeFileSync(file, `${new TextDecoder().decode(createUser().getSeed())}\n`, { mode: 0o600 });
  }
  const seed = readFileSync(file, 'utf8').trim();
  return { seed, publicKey: fromSeed(new TextEncoder().encode(seed)).getPublicKey() };
}

/**
 * Makes what is missing of the local bus's credentials and writes the server's configuration
 * (`DATA_DIR/nats.conf`, owner-only) for `services`, listening on `port` (and `monitorPort`).
 * Resolves with the runner's seed, for setting the stream up.
 * @param {{ dataDir: string, services: { name: string, publishes?: string[], consumes?: string[] }[],
 *   stream: string, port: number, monitorPort?: number }} options
 */
export function prepareBus({ dataDir, services, stream, port, monitorPort }) {
  mkdirSync(credentialsDir(dataDir), { recursive: true, mode: 0o700 });
  chmodSync(credentialsDir(dataDir), 0o700);
  // Services that neither publish nor consume (auth) have no business on the bus.
  const members = services
    .filter(onBus)
    .map((service) => ({ ...service, nkey: keyOf(dataDir, service.name).publicKey }));
  const runner = keyOf(dataDir, RUNNER_USER);
  const config = path.join(dataDir, 'nats.conf');
  writeFileSync(
    config,
    serverConfig({
      serverName: 'ticketing-local',
      // Loopback only: a laptop's bus is not for the network it sits on.
      listen: `127.0.0.1:${port}`,
      ...(monitorPort ? { monitor: `127.0.0.1:${monitorPort}` } : {}),
      storeDir: path.join(dataDir, 'nats'),
      bus: {
        stream,
        services: members,
        privileged: [{ nkey: runner.publicKey, comment: 'the runner: sets the stream and the consumers up' }],
        demo: { nkey: keyOf(dataDir, DEMO_USER).publicKey },
      },
    }),
    { mode: 0o600 },
  );
  chmodSync(config, 0o600);
  return { config, runnerSeed: runner.seed, consumers: busConsumers(members) };
}

const SETUP_TIMEOUT_MS = 30_000;

/**
 * Sets the stream and the services' consumers up on the local server as its privileged user
 * (the runner's): creates them, or adds what they lack. Retries while the server is still
 * starting, up to 30 s.
 * @param {{ url: string, seed: string, stream: string, replicas?: number,
 *   consumers: { durable: string, subject: string, ackWaitMs: number }[] }} options
 */
export async function ensureLocalStream({ url, seed, stream, replicas = 1, consumers }) {
  const { connect, nkeyAuthenticator } = await import('@nats-io/transport-node');
  const { ensureConsumers, ensureStream } = await import('@ticketing/common/events');
  const deadline = Date.now() + SETUP_TIMEOUT_MS;
  for (;;) {
    let nc;
    try {
      nc = await connect({
        servers: url,
        name: 'runner',
        authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)),
        timeout: 2_000,
      });
      await ensureStream(nc, stream, { replicas });
      await ensureConsumers(nc, stream, consumers);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      await nc?.close().catch(() => undefined);
    }
  }
}
