import type { Request } from 'express';
import { TooManyRequestsError } from '@ticketing/common/http';
import type { Logger } from '@ticketing/common/service';
import { ThrottledError, type AttemptThrottle, type ThrottleKey } from '../throttle/attempt-throttle';

/** The client's address as the trusted proxies reported it (`TRUST_PROXY_HOPS`). */
export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** Counts the attempt against `keys`; a throttled one is logged and answered 429 with Retry-After. */
export async function countAttempt(
  throttle: AttemptThrottle,
  keys: ThrottleKey[],
  logger: Logger,
  facts: Record<string, unknown>,
): Promise<void> {
  try {
    await throttle.hit(keys);
  } catch (error) {
    if (!(error instanceof ThrottledError)) throw error;
    logger.warn({ ...facts, over: error.key, retryAfterSeconds: error.retryAfterSeconds }, 'attempt throttled');
    throw new TooManyRequestsError(error.retryAfterSeconds, { cause: error });
  }
}
