import { durationSecondsSchema, parseConfig, serviceEnvShape } from '@ticketing/common/service';
import { z } from 'zod';

/** Everything auth reads from its environment. */
export const configSchema = z.object({
  ...serviceEnvShape,
  JWT_EXPIRES_IN: durationSecondsSchema.default(86_400),
});

export type Config = z.output<typeof configSchema>;

/** Parses the environment once; throws naming every missing or bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  return parseConfig(configSchema, env);
}
