// Sets the stream and the services' durable consumers up, once, as the bus's privileged user:
// the services' own users may neither create nor change them. The Kubernetes Job
// `nats-stream-setup` runs it from a service image:
//   node /app/common/dist/nats/setup-stream-main.js
// with NATS_URL, NATS_STREAM, NATS_STREAM_REPLICAS, the setup user's NATS_NKEY_SEED_FILE,
// and NATS_CONSUMERS: `durable=subject` pairs separated by spaces (services.json's, as
// common/lib/bus-permissions.cjs names them). It retries while the servers are still
// starting (up to SETUP_TIMEOUT_SECONDS, 300).
import { z } from 'zod';
import { natsEnvShape, parseConfig } from '../config/parse-config';
import { createLogger } from '../logger/logger';
import { natsCredentialsFrom } from './credentials';
import { ACK_WAIT_MS } from '../../lib/bus-permissions.cjs';
import { NatsWrapper } from './nats-wrapper';
import { ensureConsumers } from './stream';

const schema = z.object({
  ...natsEnvShape,
  NATS_CLIENT_ID: z.string().default('nats-stream-setup'),
  SETUP_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3_600).default(300),
  NATS_CONSUMERS: z
    .string()
    .regex(/^\s*([^\s=]+=[^\s=]+\s*)*$/, { message: 'must be durable=subject pairs separated by spaces' })
    .default(''),
});

async function main(): Promise<void> {
  const config = parseConfig(schema, process.env);
  const logger = createLogger('nats-stream-setup');
  const wrapper = new NatsWrapper();
  await wrapper.connect(config.NATS_STREAM, config.NATS_CLIENT_ID, config.NATS_URL, {
    logger,
    credentials: natsCredentialsFrom(config),
    streamReplicas: config.NATS_STREAM_REPLICAS,
    streamSetupTimeoutMs: config.SETUP_TIMEOUT_SECONDS * 1000,
  });
  const consumers = config.NATS_CONSUMERS.split(/\s+/)
    .filter(Boolean)
    .map((pair) => {
      const [durable, subject] = pair.split('=') as [string, string];
      return { durable, subject, ackWaitMs: ACK_WAIT_MS };
    });
  await ensureConsumers(wrapper.client, config.NATS_STREAM, consumers);
  logger.info(
    {
      stream: config.NATS_STREAM,
      replicas: config.NATS_STREAM_REPLICAS,
      consumers: consumers.map((c) => c.durable),
    },
    'the stream and the consumers are set up',
  );
  await wrapper.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
