import { CustomError } from './custom-error';

/** 404 "Not Found" for an unknown resource or route. */
export class NotFoundError extends CustomError {
  readonly statusCode = 404;

  constructor(options?: ErrorOptions) {
    super('Not Found', options);
  }

  serializeErrors() {
    return [{ message: 'Not Found' }];
  }
}
