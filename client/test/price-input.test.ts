import { parsePriceInput } from '../lib/format/price-input';

describe('parsePriceInput', () => {
  it('reads a plain decimal as a number', () => {
    expect(parsePriceInput('249.5')).toBe(249.5);
    expect(parsePriceInput(' 20 ')).toBe(20);
  });

  it('forgives a leading dollar sign and thousands separators', () => {
    expect(parsePriceInput('$1,249.50')).toBe(1249.5);
    expect(parsePriceInput('$ 1,000,000')).toBe(1_000_000);
  });

  it('gives NaN for an empty or non-numeric entry, leaving the message to the API', () => {
    expect(parsePriceInput('')).toBeNaN();
    expect(parsePriceInput('abc')).toBeNaN();
    expect(parsePriceInput('1,2')).toBeNaN();
  });

  it('passes a negative or over-precise price through unchanged, for the API to refuse', () => {
    expect(parsePriceInput('-5')).toBe(-5);
    expect(parsePriceInput('10.999')).toBe(10.999);
  });
});
