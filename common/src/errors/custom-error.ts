/** One entry of the contract's error body: `{ errors: [{ message, field? }] }`. */
export interface SerializedError {
  message: string;
  field?: string;
}

/**
 * Base of every error that maps to a client-facing HTTP status.
 * The error handler answers these with `statusCode` and `serializeErrors()`.
 */
export abstract class CustomError extends Error {
  abstract readonly statusCode: number;

  protected constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }

  abstract serializeErrors(): SerializedError[];
}
