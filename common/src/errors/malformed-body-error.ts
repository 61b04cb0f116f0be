import { CustomError } from './custom-error';

/** 400 for a body that cannot be read: not decompressible, shorter than announced, not valid text. */
export class MalformedBodyError extends CustomError {
  readonly statusCode = 400;

  constructor(
    message: string,
    readonly field?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  serializeErrors() {
    return [this.field ? { message: this.message, field: this.field } : { message: this.message }];
  }
}
