// Sets the stream up, once, as the bus's privileged user: the services' own users may not
// create or change it. The Kubernetes Job `nats-stream-setup` runs it from a service image:
//   node /app/common/dist/nats/setup-stream-main.js
// with NATS_URL, NATS_CLUSTER_ID, NATS_STREAM_REPLICAS and the setup user's NATS_NKEY_SEED_FILE.
// It retries while the servers are still starting (up to SETUP_TIMEOUT_SECONDS, 300).
import { z } from 'zod';
import { natsEnvShape, parseConfig } from '../config/parse-config';
import { createLogger } from '../logger/logger';
import { natsCredentialsFrom } from './credentials';
import { NatsWrapper } from './nats-wrapper';

const schema = z.object({
  ...natsEnvShape,
  NATS_CLIENT_ID: z.string().default('nats-stream-setup'),
  SETUP_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3_600).default(300),
});

async function main(): Promise<void> {
  const config = parseConfig(schema, process.env);
  const logger = createLogger('nats-stream-setup');
  const wrapper = new NatsWrapper();
  await wrapper.connect(config.NATS_CLUSTER_ID, config.NATS_CLIENT_ID, config.NATS_URL, {
    logger,
    credentials: natsCredentialsFrom(config),
    streamReplicas: config.NATS_STREAM_REPLICAS,
    streamSetupTimeoutMs: config.SETUP_TIMEOUT_SECONDS * 1000,
  });
  logger.info({ stream: config.NATS_CLUSTER_ID, replicas: config.NATS_STREAM_REPLICAS }, 'the stream is set up');
  await wrapper.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
