import { CustomError } from '@ticketing/common/http';

/** 402: the provider declined the card; nothing was charged. */
export class PaymentDeclinedError extends CustomError {
  readonly statusCode = 402;

  constructor(options?: ErrorOptions) {
    super('Your card was declined', options);
  }

  serializeErrors() {
    return [{ message: this.message }];
  }
}

/** 409: another request is paying for the order right now and has not finished within the wait. */
export class PaymentInProgressError extends CustomError {
  readonly statusCode = 409;

  constructor(options?: ErrorOptions) {
    super('A payment for this order is in progress, please try again shortly', options);
  }

  serializeErrors() {
    return [{ message: this.message }];
  }
}

/** 503: the provider could not be reached or did not say what became of the charge; it is found out later. */
export class ProviderUnavailableError extends CustomError {
  readonly statusCode = 503;

  constructor(options?: ErrorOptions) {
    super('The payment provider is unavailable, please try again shortly', options);
  }

  serializeErrors() {
    return [{ message: this.message }];
  }
}
