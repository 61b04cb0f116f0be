/** What a charge asks of a provider. */
export interface ChargeRequest {
  /** Derived from the order and the attempt: a repeated request gets the first answer, never a second charge. */
  idempotencyKey: string;
  amountCents: number;
  /** ISO 4217, lower case (`usd`). */
  currency: string;
  /** The card: a Stripe token (`tok_…`) or PaymentMethod (`pm_…`). */
  token: string;
  orderId: string;
}

/**
 * What became of a charge. `declined` (the card), `invalid-token` (no such card) and
 * `refused` (the provider will not take this payment at all, e.g. an amount below its
 * minimum) charged nothing, for certain; a provider that cannot say (it is down, the
 * answer was lost) throws instead, and the same request is sent again later with the same
 * idempotency key.
 */
export type ChargeResult =
  | { outcome: 'succeeded'; chargeId: string }
  | { outcome: 'declined'; reason: string }
  | { outcome: 'invalid-token'; reason: string }
  | { outcome: 'refused'; reason: string };

/** What a refund asks of a provider. */
export interface RefundRequest {
  idempotencyKey: string;
  chargeId: string;
  amountCents: number;
}

/** Takes money and gives it back; every call is idempotent by its key. */
export interface PaymentProvider {
  /** `test` or `stripe`, for logs and `/readyz`. */
  readonly name: string;
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** Resolves once the charge is refunded (also when it already was); throws when that cannot be known. */
  refund(request: RefundRequest): Promise<{ refundId: string | null }>;
}

/** Raised by a provider for an answer it cannot act on (e.g. an idempotency key reused with other parameters). */
export class PaymentProviderError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PaymentProviderError';
  }
}
