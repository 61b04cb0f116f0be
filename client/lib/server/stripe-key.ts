import { connection } from 'next/server';

/**
 * Stripe's publishable key (`pk_…`) from STRIPE_PUBLISHABLE_KEY, read when a visitor asks
 * (never at build time); undefined when unset, and then the order page offers the test
 * provider's cards.
 */
export async function stripePublishableKey(env: Record<string, string | undefined> = process.env) {
  await connection();
  const key = env.STRIPE_PUBLISHABLE_KEY?.trim();
  return key && /^pk_(test|live)_\w+$/.test(key) ? key : undefined;
}
