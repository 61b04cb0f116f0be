import type { AttemptRepository } from '../db/attempt-repository';

/** At most `limit` attempts per `windowSeconds` for one key. */
export interface ThrottleRule {
  limit: number;
  windowSeconds: number;
}

/**
 * The limits in production (each can be changed through the environment, see config.ts).
 * Sign-in counts failures (a success forgets the account's and takes its own attempt back
 * from the address): 10 per account and 50 per client address in 15 minutes. Sign-up counts
 * every attempt with a valid body: 5 per email in 15 minutes (probing which emails are
 * taken), 20 per address in an hour (mass account creation).
 */
export const THROTTLE_RULES = {
  signinAccount: { limit: 10, windowSeconds: 15 * 60 },
  signinAddress: { limit: 50, windowSeconds: 15 * 60 },
  signupAccount: { limit: 5, windowSeconds: 15 * 60 },
  signupAddress: { limit: 20, windowSeconds: 60 * 60 },
} satisfies Record<string, ThrottleRule>;

export type ThrottleRules = Record<keyof typeof THROTTLE_RULES, ThrottleRule>;

/** A key and the rule it is counted under. */
export interface ThrottleKey {
  key: string;
  rule: ThrottleRule;
}

/** Raised when an attempt is over a limit; says how long until the window ends. */
export class ThrottledError extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    readonly key: string,
  ) {
    super(`Too many attempts for ${key}`);
    this.name = 'ThrottledError';
  }
}

/**
 * Counts an attempt against every key before it is made, and refuses it (ThrottledError)
 * when any key is over its limit. Counting first, in one atomic statement per key, means
 * concurrent attempts cannot slip past the limit together.
 */
export class AttemptThrottle {
  constructor(
    private readonly attempts: AttemptRepository,
    /** The limits this throttle applies. */
    readonly rules: ThrottleRules = THROTTLE_RULES,
  ) {}

  async hit(keys: ThrottleKey[]): Promise<void> {
    let wait = 0;
    let over: string | undefined;
    for (const { key, rule } of keys) {
      const count = await this.attempts.hit(key, rule.windowSeconds);
      if (count.attempts > rule.limit) {
        const seconds = Math.max(1, Math.ceil((count.windowEndsAt.getTime() - Date.now()) / 1000));
        if (seconds > wait) {
          wait = seconds;
          over = key;
        }
      }
    }
    if (over) throw new ThrottledError(wait, over);
  }

  /** Takes one attempt back from `key`. */
  undo(key: string): Promise<void> {
    return this.attempts.undo(key);
  }

  /** Forgets `key`'s attempts. */
  reset(key: string): Promise<void> {
    return this.attempts.reset(key);
  }
}
