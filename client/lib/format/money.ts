// A fixed locale and currency, so the server and every browser render the same text.
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** 1234.5 → "$1,234.50". */
export function formatPrice(price: number): string {
  return usd.format(price);
}
