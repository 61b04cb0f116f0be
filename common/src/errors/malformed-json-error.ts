import { CustomError } from './custom-error';

/** 400 for a request body that claims to be JSON but does not parse. */
export class MalformedJsonError extends CustomError {
  readonly statusCode = 400;

  constructor(options?: ErrorOptions) {
    super('Request body is not valid JSON', options);
  }

  serializeErrors() {
    return [{ message: this.message }];
  }
}
