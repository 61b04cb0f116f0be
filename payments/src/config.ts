import { natsEnvShape, serviceEnvShape } from '@ticketing/common/service';
import { z } from 'zod';

/** Everything payments reads from its environment. */
export const configSchema = z.object({
  ...serviceEnvShape,
  ...natsEnvShape,
  /** Stripe's secret API key: with it payments charges through Stripe, without it through the built-in test provider. */
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_\w+$/, { message: 'must be a Stripe secret key (sk_test_…, sk_live_… or rk_…)' })
    .optional(),
  /** Where the Stripe SDK sends its requests instead of Stripe's API (a local stand-in); Stripe's when absent. */
  STRIPE_API_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  /**
   * How long an instance working on a payment (charging, refunding) is trusted to finish
   * before another takes over with the same idempotency key. Longer than a provider call
   * with its retries can take.
   */
  PAYMENT_LEASE_SECONDS: z.coerce
    .number({ message: 'must be a whole number of seconds' })
    .int({ message: 'must be a whole number of seconds' })
    .min(1, { message: 'must be at least 1 second' })
    .max(3_600, { message: 'must be at most 3600 seconds' })
    .default(60),
});

export type Config = z.output<typeof configSchema>;
