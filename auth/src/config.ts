import { durationSecondsSchema, parseConfig, serviceEnvShape } from '@ticketing/common/service';
import { z } from 'zod';
import { THROTTLE_RULES, type ThrottleRule } from './throttle/attempt-throttle';

/** A limit such as `20/1h`: at most 20 attempts per hour (the window as `durationSecondsSchema` reads it). */
const throttleRuleSchema = z
  .string()
  .regex(/^\d{1,7}\s*\/\s*\d+\s*[smhd]?$/, { message: 'must be attempts per window, such as 20/1h or 10/15m' })
  .transform((value, ctx): ThrottleRule => {
    const [limit, window] = value.split('/').map((part) => part.trim()) as [string, string];
    const seconds = durationSecondsSchema.safeParse(window);
    if (!seconds.success) {
      ctx.addIssue({ code: 'custom', message: 'must be attempts per window, such as 20/1h or 10/15m' });
      return z.NEVER;
    }
    return { limit: Number(limit), windowSeconds: seconds.data };
  })
  .refine((rule) => rule.limit >= 1, { message: 'must allow at least 1 attempt' })
  .refine((rule) => rule.windowSeconds <= 366 * 86_400, { message: 'must have a window of at most a year' });

/** Everything auth reads from its environment. */
export const configSchema = z.object({
  ...serviceEnvShape,
  JWT_EXPIRES_IN: durationSecondsSchema.default(86_400),
  /** Failed sign-ins per account (15 minutes by default). */
  THROTTLE_SIGNIN_PER_ACCOUNT: throttleRuleSchema.default(THROTTLE_RULES.signinAccount),
  /** Failed sign-ins per client address. */
  THROTTLE_SIGNIN_PER_ADDRESS: throttleRuleSchema.default(THROTTLE_RULES.signinAddress),
  /** Sign-ups per email (probing which emails are taken). */
  THROTTLE_SIGNUP_PER_EMAIL: throttleRuleSchema.default(THROTTLE_RULES.signupAccount),
  /** Sign-ups per client address (mass account creation). */
  THROTTLE_SIGNUP_PER_ADDRESS: throttleRuleSchema.default(THROTTLE_RULES.signupAddress),
});

export type Config = z.output<typeof configSchema>;

/** Parses the environment once; throws naming every missing or bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  return parseConfig(configSchema, env);
}
