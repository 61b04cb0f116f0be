import type { Db } from '@ticketing/common/db';
import type { Config } from '../config';
import type { PaymentsSchema } from '../db/schema';
import type { PaymentProvider } from './payment-provider';
import { StripePaymentProvider } from './stripe-provider';
import { TestPaymentProvider } from './test-provider';

/** Stripe when a secret key is configured; otherwise the built-in test provider, which needs no network. */
export function chooseProvider(config: Config, db: Db<PaymentsSchema>): PaymentProvider {
  if (config.STRIPE_SECRET_KEY) {
    return new StripePaymentProvider({ secretKey: config.STRIPE_SECRET_KEY, apiUrl: config.STRIPE_API_URL });
  }
  return new TestPaymentProvider(db);
}
