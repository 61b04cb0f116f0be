/**
 * What the visitor typed in a price box, as the JSON number the API expects. Forgives a
 * leading "$" and thousands separators; anything else becomes NaN (sent as null), so the
 * API's own message explains what is wrong.
 */
export function parsePriceInput(value: string): number {
  const cleaned = value
    .trim()
    .replace(/^\$\s*/, '')
    .replace(/,(?=\d{3}(\D|$))/g, '');
  return cleaned === '' ? NaN : Number(cleaned);
}
