/** What the visitor typed in a price box: the JSON number to send, or what is wrong with it. */
export type PriceInput = { value: number } | { problem: string };

export const PRICE_PROBLEMS = {
  empty: 'Enter a price, e.g. 25 or 19.99',
  notDigits: 'Enter the price in digits, e.g. 25 or 19.99',
  comma: 'Use a dot for cents, e.g. 1.50',
  decimals: 'Price must have at most two decimals',
} as const;

/**
 * Reads a price box: decimal digits, at most two after a dot. A leading "$", surrounding
 * spaces and thousands separators in their places ("1,249.50") are forgiven; anything else
 * ("0x10", "1e3", "1,5", "abc") says what is wrong instead of being guessed at.
 */
export function parsePriceInput(text: string): PriceInput {
  const cleaned = text.trim().replace(/^\$\s*/, '');
  if (cleaned === '') return { problem: PRICE_PROBLEMS.empty };
  const match = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/.exec(cleaned);
  if (!match) return { problem: /^\d+,\d{1,2}$/.test(cleaned) ? PRICE_PROBLEMS.comma : PRICE_PROBLEMS.notDigits };
  if ((match[2] ?? '').length > 2) return { problem: PRICE_PROBLEMS.decimals };
  return { value: Number(cleaned.replaceAll(',', '')) };
}
