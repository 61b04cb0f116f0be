import { CustomError } from './custom-error';

/** 403 for a request the service refuses whoever sends it, e.g. a cross-site one. */
export class ForbiddenError extends CustomError {
  readonly statusCode = 403;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }

  serializeErrors() {
    return [{ message: this.message }];
  }
}
