import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createLogger, natsWrapper, type NatsCredentials } from '@ticketing/common/events';

/** The server to use: `NATS_URL`, or the one `npm start` runs. */
export const natsUrl = process.env.NATS_URL || 'nats://localhost:4222';

/** Who the scripts are on the bus: the environment's credential (the local demo user's by default, see demo-credentials.mjs). */
function credentials(): NatsCredentials | undefined {
  const { NATS_NKEY_SEED, NATS_NKEY_SEED_FILE, NATS_USER, NATS_PASSWORD } = process.env;
  const seed = NATS_NKEY_SEED || (NATS_NKEY_SEED_FILE && readFileSync(NATS_NKEY_SEED_FILE, 'utf8').trim());
  if (seed) return { seed };
  if (NATS_USER) return { user: NATS_USER, pass: NATS_PASSWORD ?? '' };
  return undefined;
}

/** Connects the shared wrapper as `<role>-<random>`, failing at once with a hint when no server answers. */
export async function connectNats(role: string): Promise<void> {
  try {
    await natsWrapper.connect(
      process.env.NATS_STREAM || process.env.NATS_CLUSTER_ID || 'ticketing',
      `${role}-${randomBytes(4).toString('hex')}`,
      natsUrl,
      {
        waitOnFirstConnect: false,
        credentials: credentials(),
        streamReplicas: Number(process.env.NATS_STREAM_REPLICAS || 1),
        logger: createLogger(role, 'warn'),
      },
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(
      /authorization/i.test(message)
        ? `NATS at ${natsUrl} refused the connection: it wants a credential these scripts may use (${message}).\n` +
            '`npm start` makes one, .data/credentials/demo.nk, found here by itself; for another server set\n' +
            'NATS_NKEY_SEED_FILE (or NATS_USER and NATS_PASSWORD).'
        : `Cannot reach NATS at ${natsUrl} (${message}).\n` +
            'Start the system with `npm start` (it runs nats-server on 4222 and makes the demo credential these\n' +
            'scripts use), or set NATS_URL.',
    );
    process.exit(1);
  }
}
