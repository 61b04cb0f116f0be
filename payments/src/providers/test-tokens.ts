/**
 * Stripe's documented test cards, as tokens (`tok_…`) and as PaymentMethods (`pm_card_…`):
 * these succeed, in test mode at Stripe as with the built-in test provider.
 */
const SUCCEEDING = [
  'visa',
  'visa_debit',
  'mastercard',
  'mastercard_debit',
  'mastercard_prepaid',
  'amex',
  'discover',
  'diners',
  'jcb',
  'unionpay',
  'bypassPending',
  'domesticPricing',
];

/** Stripe's documented test cards that are declined, with the decline code Stripe gives. */
const DECLINED: Record<string, string> = {
  chargeDeclined: 'generic_decline',
  chargeDeclinedInsufficientFunds: 'insufficient_funds',
  chargeDeclinedLostCard: 'lost_card',
  chargeDeclinedStolenCard: 'stolen_card',
  chargeDeclinedExpiredCard: 'expired_card',
  chargeDeclinedIncorrectCvc: 'incorrect_cvc',
  chargeDeclinedProcessingError: 'processing_error',
  chargeDeclinedVelocityLimitExceeded: 'card_velocity_exceeded',
  chargeDeclinedFraudulent: 'fraudulent',
};

/** The card name inside `tok_<name>` or `pm_card_<name>`, or undefined for anything else. */
function cardName(token: string): string | undefined {
  return /^(?:tok_|pm_card_)([A-Za-z_]+)$/.exec(token)?.[1];
}

/** What a test card does: succeed, be declined (with Stripe's decline code), or it is no test card at all. */
export function testCardBehaviour(
  token: string,
): { outcome: 'succeeds' } | { outcome: 'declined'; code: string } | undefined {
  const name = cardName(token);
  if (name === undefined) return undefined;
  if (SUCCEEDING.includes(name)) return { outcome: 'succeeds' };
  const code = DECLINED[name];
  return code ? { outcome: 'declined', code } : undefined;
}

/** The succeeding test tokens (`tok_visa`, …). */
export const SUCCEEDING_TEST_TOKENS = SUCCEEDING.map((name) => `tok_${name}`);

/** The declined test tokens (`tok_chargeDeclined`, …). */
export const DECLINED_TEST_TOKENS = Object.keys(DECLINED).map((name) => `tok_${name}`);
