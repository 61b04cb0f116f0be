import { CustomError, type SerializedError } from './custom-error';

/** 400 for invalid input: one entry per offending field, in the order they were found. */
export class RequestValidationError extends CustomError {
  readonly statusCode = 400;

  constructor(
    readonly fieldErrors: SerializedError[],
    options?: ErrorOptions,
  ) {
    super('Invalid request parameters', options);
  }

  serializeErrors() {
    return this.fieldErrors.map(({ message, field }) => (field ? { message, field } : { message }));
  }
}
