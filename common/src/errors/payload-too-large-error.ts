import { CustomError } from './custom-error';

/** 413 for a request body over the size limit. */
export class PayloadTooLargeError extends CustomError {
  readonly statusCode = 413;

  constructor(limit: string, options?: ErrorOptions) {
    super(`Request body must not exceed ${limit}`, options);
  }

  serializeErrors() {
    return [{ message: this.message }];
  }
}
