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
  /** How many orders awaiting payment one buyer may hold at once: one account cannot hold a whole sale. */
  MAX_OPEN_ORDERS_PER_BUYER: z.coerce
    .number({ message: 'must be a whole number' })
    .int({ message: 'must be a whole number' })
    .min(1, { message: 'must be at least 1' })
    .max(1_000_000, { message: 'must be at most 1000000' })
    .default(10),
});

export type Config = z.output<typeof configSchema>;
