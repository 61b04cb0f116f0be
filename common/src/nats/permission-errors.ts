import { PermissionViolationError, RequestError } from '@nats-io/transport-node';

/** True when the server refused what this connection may not do (its user's permissions). */
export function isPermissionError(error: unknown): boolean {
  return (
    error instanceof PermissionViolationError ||
    (error instanceof RequestError && /permissions violation/i.test(error.message))
  );
}

/**
 * True when the server would not let this connection do it: a permission refused, or (in an
 * account that only borrows some of the stream's API) nobody there to answer.
 */
export function isRefusal(error: unknown): boolean {
  if (isPermissionError(error)) return true;
  const text = error instanceof Error ? error.message : String(error);
  return /jetstream is not enabled|no responders|503/i.test(text);
}
