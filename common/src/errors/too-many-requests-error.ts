import { CustomError } from './custom-error';

/** 429 "Too many attempts, try again in N seconds"; the error handler adds `Retry-After: N`. */
export class TooManyRequestsError extends CustomError {
  readonly statusCode = 429;

  constructor(
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(`Too many attempts, try again in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}`, options);
  }

  serializeErrors() {
    return [{ message: this.message }];
  }
}
