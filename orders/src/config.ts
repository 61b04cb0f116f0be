import { natsEnvShape, serviceEnvShape } from '@ticketing/common/service';
import { z } from 'zod';

/** Everything orders reads from its environment. */
export const configSchema = z.object({
  ...serviceEnvShape,
  ...natsEnvShape,
  /** How long a reservation waits for its payment before it expires. */
  EXPIRATION_WINDOW_SECONDS: z.coerce
    .number({ message: 'must be a whole number of seconds' })
    .int({ message: 'must be a whole number of seconds' })
    .min(1, { message: 'must be at least 1 second' })
    .max(86_400, { message: 'must be at most 86400 seconds (a day)' })
    .default(900),
});

export type Config = z.output<typeof configSchema>;
