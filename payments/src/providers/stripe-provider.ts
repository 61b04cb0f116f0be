import Stripe from 'stripe';
import {
  PaymentProviderError,
  type ChargeRequest,
  type ChargeResult,
  type PaymentProvider,
  type RefundRequest,
} from './payment-provider';

/** Where the SDK sends its requests: Stripe's API unless a stand-in (e.g. a test server) is named. */
export interface StripeProviderOptions {
  secretKey: string;
  /** e.g. `http://127.0.0.1:12111`; Stripe's own API when absent. */
  apiUrl?: string;
}

/** The SDK's connection settings for a base URL. */
function endpoint(apiUrl: string | undefined): Pick<Stripe.StripeConfig, 'host' | 'port' | 'protocol'> {
  if (!apiUrl) return {};
  const url = new URL(apiUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: url.port || (protocol === 'http' ? 80 : 443), protocol };
}

/** Codes with which Stripe refuses a card reference it cannot use: nothing was charged. */
const UNUSABLE_CARD_CODES = new Set([
  'resource_missing',
  'token_already_used',
  'token_in_use',
  'parameter_invalid_empty',
]);

/**
 * Stripe, through its official SDK and PaymentIntents: the token's card becomes a
 * PaymentMethod (a `pm_…` from Stripe Elements is used as it is), and one PaymentIntent is
 * created and confirmed with it, server side. Both calls carry an idempotency key derived
 * from the order and the attempt, so a repeated call — a retry, a recovery after a crash —
 * gets Stripe's stored answer and never charges twice (Stripe keeps keys for 24 hours).
 */
export class StripePaymentProvider implements PaymentProvider {
  readonly name = 'stripe';
  private readonly stripe: Stripe;

  constructor(options: StripeProviderOptions) {
    this.stripe = new Stripe(options.secretKey, {
      ...endpoint(options.apiUrl),
      // Retries reuse our idempotency key; 409 (the same key still in flight) is retried too.
      maxNetworkRetries: 2,
      timeout: 20_000,
      telemetry: false,
    });
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    try {
      const paymentMethod = request.token.startsWith('pm_')
        ? request.token
        : (
            await this.stripe.paymentMethods.create(
              { type: 'card', card: { token: request.token } },
              { idempotencyKey: `${request.idempotencyKey}:payment-method` },
            )
          ).id;
      let intent = await this.stripe.paymentIntents.create(
        {
          amount: request.amountCents,
          currency: request.currency,
          payment_method: paymentMethod,
          confirm: true,
          // Cards only, confirmed here: no redirect, and a card that needs the buyer's action fails.
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
          error_on_requires_action: true,
          metadata: { orderId: request.orderId },
        },
        { idempotencyKey: request.idempotencyKey },
      );
      // A replayed answer is the one stored when the intent was made; ask for where it is now.
      if (intent.status === 'processing') intent = await this.stripe.paymentIntents.retrieve(intent.id);
      if (intent.status !== 'succeeded') {
        throw new PaymentProviderError(`PaymentIntent ${intent.id} is ${intent.status}`);
      }
      const charge = typeof intent.latest_charge === 'string' ? intent.latest_charge : intent.latest_charge?.id;
      return { outcome: 'succeeded', chargeId: charge ?? intent.id };
    } catch (error) {
      if (error instanceof Stripe.errors.StripeCardError) {
        return { outcome: 'declined', reason: error.decline_code ?? error.code ?? 'card_declined' };
      }
      if (
        error instanceof Stripe.errors.StripeInvalidRequestError &&
        UNUSABLE_CARD_CODES.has(error.code ?? '') &&
        /token|payment_method/.test(error.param ?? '')
      ) {
        return { outcome: 'invalid-token', reason: error.message };
      }
      // Refused as asked (a 400: an amount below Stripe's minimum, say): nothing was charged,
      // and sending it again would be refused again. A reused key is our fault: it throws.
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 400) {
        return { outcome: 'refused', reason: error.message };
      }
      throw error;
    }
  }

  async refund(request: RefundRequest): Promise<{ refundId: string | null }> {
    try {
      const refund = await this.stripe.refunds.create(
        { charge: request.chargeId, amount: request.amountCents, metadata: { reason: 'order cancelled' } },
        { idempotencyKey: request.idempotencyKey },
      );
      return { refundId: refund.id };
    } catch (error) {
      // Given back already (from the dashboard, say): the money is where it belongs.
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'charge_already_refunded') {
        return { refundId: null };
      }
      throw error;
    }
  }
}
