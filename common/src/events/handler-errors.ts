import { isDatabaseConnectionError } from '../db/database-errors';

/**
 * Thrown by a handler when its message came too early to apply (a copy's version n before
 * n−1). With the `key` of what it waits for (`<id>@<version>`, see `awaitKey`), the
 * listener holds the message and handles it again as soon as the awaited message has
 * succeeded here; after a short while, or without a key, it is redelivered with a short
 * growing delay instead.
 */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly key?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'RetryLaterError';
  }
}

/** The key of version `version` of entity `id`, as early messages wait for it. */
export function awaitKey(id: string, version: number): string {
  return `${id}@${version}`;
}

/** Thrown by a handler for a message that can never succeed: it is terminated at once. */
export class PermanentEventError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentEventError';
  }
}

/** Thrown by a handler for a passing failure of a dependency: retried for as long as it lasts. */
export class TransientEventError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TransientEventError';
  }
}

/** True for a failure that says nothing about the message (a dependency away): never terminated. */
export function isTransientFailure(error: unknown): boolean {
  return error instanceof TransientEventError || isDatabaseConnectionError(error);
}
