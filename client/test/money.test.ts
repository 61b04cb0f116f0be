import { formatPrice } from '../lib/format/money';

describe('formatPrice', () => {
  it('formats a price as US dollars with cents and thousands separators', () => {
    expect(formatPrice(1234.5)).toBe('$1,234.50');
  });

  it('keeps two decimals for whole and sub-dollar amounts', () => {
    expect(formatPrice(20)).toBe('$20.00');
    expect(formatPrice(0.5)).toBe('$0.50');
  });

  it('formats the largest price the API accepts', () => {
    expect(formatPrice(1_000_000)).toBe('$1,000,000.00');
  });
});
