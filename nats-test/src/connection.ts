import { randomBytes } from 'node:crypto';
import { createLogger, natsWrapper } from '@ticketing/common/events';

/** The server to use: `NATS_URL`, or the one `npm start` runs. */
export const natsUrl = process.env.NATS_URL || 'nats://localhost:4222';

/** Connects the shared wrapper as `<role>-<random>`, failing at once with a hint when no server answers. */
export async function connectNats(role: string): Promise<void> {
  try {
    await natsWrapper.connect(
      process.env.NATS_CLUSTER_ID || 'ticketing',
      `${role}-${randomBytes(4).toString('hex')}`,
      natsUrl,
      {
        waitOnFirstConnect: false,
        streamReplicas: Number(process.env.NATS_STREAM_REPLICAS || 1),
        logger: createLogger(role, 'warn'),
      },
    );
  } catch (error) {
    console.error(
      `Cannot reach NATS at ${natsUrl} (${error instanceof Error ? error.message : error}).\n` +
        'Start the system with `npm start` (it runs nats-server on 4222), or set NATS_URL.',
    );
    process.exit(1);
  }
}
