import { CustomError } from './custom-error';

/** 401 "Not authorized": not signed in, or not allowed to touch the resource. */
export class NotAuthorizedError extends CustomError {
  readonly statusCode = 401;

  constructor(options?: ErrorOptions) {
    super('Not authorized', options);
  }

  serializeErrors() {
    return [{ message: 'Not authorized' }];
  }
}
