/** The highest price a ticket may have, in dollars. */
export const MAX_PRICE = 1_000_000;

/**
 * Why a price is unacceptable, or undefined when it is fine: a JSON number greater than 0,
 * at most 1,000,000, with at most two decimals.
 */
export function priceProblem(value: unknown): string | undefined {
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) return 'Price must be greater than 0';
  // A literal beyond a double's range (1e400) parses to Infinity: it is too large, not too small.
  if (value > MAX_PRICE) return 'Price must be at most 1,000,000';
  // Exact: whole cents divided by 100 give back the very number a two-decimal literal
  // parses to (19.99 * 100 is 1998.9999999999998, yet 1999 / 100 === 19.99).
  if (Math.round(value * 100) / 100 !== value) return 'Price must have at most two decimals';
  return undefined;
}

/** Dollars (validated) to integer cents. */
export function toCents(price: number): number {
  return Math.round(price * 100);
}

/** Integer cents to the dollars the API speaks (19.99, not 1999). */
export function fromCents(cents: number): number {
  return cents / 100;
}
