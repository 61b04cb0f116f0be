import { baseEnvShape, natsEnvShape } from '@ticketing/common/service';
import { z } from 'zod';

/** Everything expiration reads from its environment. It has no HTTP API, so no session. */
export const configSchema = z.object({
  ...baseEnvShape,
  ...natsEnvShape,
  /** Milliseconds between looks for due expirations: an order expires at most this late. */
  EXPIRATION_POLL_MS: z.coerce
    .number({ message: 'must be a whole number of milliseconds' })
    .int({ message: 'must be a whole number of milliseconds' })
    .min(10, { message: 'must be at least 10 ms' })
    .max(60_000, { message: 'must be at most 60000 ms' })
    .default(1_000),
});

export type Config = z.output<typeof configSchema>;
