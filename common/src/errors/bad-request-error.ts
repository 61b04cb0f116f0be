import { CustomError } from './custom-error';

/** 400 for a broken business rule ("Email in use"), optionally naming the body field. */
export class BadRequestError extends CustomError {
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
