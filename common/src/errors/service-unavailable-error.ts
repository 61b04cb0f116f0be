import { CustomError } from './custom-error';

/** 503 when a dependency other than the database is down and the request cannot be served. */
export class ServiceUnavailableError extends CustomError {
  readonly statusCode = 503;

  constructor(message = 'Service unavailable, please try again shortly', options?: ErrorOptions) {
    super(message, options);
  }

  serializeErrors() {
    return [{ message: this.message }];
  }
}
