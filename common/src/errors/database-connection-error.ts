import { CustomError } from './custom-error';

/** 503 when the service's database cannot be reached; the request may be retried. */
export class DatabaseConnectionError extends CustomError {
  readonly statusCode = 503;

  constructor(options?: ErrorOptions) {
    super('Database unavailable, please try again shortly', options);
  }

  serializeErrors() {
    return [{ message: this.message }];
  }
}
