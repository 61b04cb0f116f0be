import { parseConfig, serviceEnvShape } from '@ticketing/common';
import { z } from 'zod';

/** Everything tickets reads from its environment. */
export const configSchema = z.object({
  ...serviceEnvShape,
  NATS_URL: z.string().regex(/^(nats|tls):\/\//, { message: 'must be a nats:// URL' }),
  NATS_CLUSTER_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, { message: 'must be a stream name (letters, digits, - and _)' }),
  NATS_CLIENT_ID: z.string(),
});

export type Config = z.output<typeof configSchema>;

/** Parses the environment once; throws naming every missing or bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  return parseConfig(configSchema, env);
}
