import { natsEnvShape, parseConfig, serviceEnvShape } from '@ticketing/common/service';
import { z } from 'zod';

/** Everything tickets reads from its environment. */
export const configSchema = z.object({ ...serviceEnvShape, ...natsEnvShape });

export type Config = z.output<typeof configSchema>;

/** Parses the environment once; throws naming every missing or bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  return parseConfig(configSchema, env);
}
