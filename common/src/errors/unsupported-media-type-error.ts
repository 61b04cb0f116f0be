import { CustomError } from './custom-error';

/** 415 for a body in a charset or content encoding the service does not read. */
export class UnsupportedMediaTypeError extends CustomError {
  readonly statusCode = 415;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }

  serializeErrors() {
    return [{ message: this.message }];
  }
}
