import { parsePriceInput, PRICE_PROBLEMS } from '../lib/format/price-input';

describe('parsePriceInput', () => {
  it('reads decimal digits with at most two decimals', () => {
    expect(parsePriceInput('249.5')).toEqual({ value: 249.5 });
    expect(parsePriceInput(' 20 ')).toEqual({ value: 20 });
    expect(parsePriceInput('0.01')).toEqual({ value: 0.01 });
  });

  it('forgives a leading dollar sign and thousands separators in their places', () => {
    expect(parsePriceInput('$1,249.50')).toEqual({ value: 1249.5 });
    expect(parsePriceInput('$ 1,000,000')).toEqual({ value: 1_000_000 });
  });

  it.each([
    ['', PRICE_PROBLEMS.empty],
    ['abc', PRICE_PROBLEMS.notDigits],
    ['0x10', PRICE_PROBLEMS.notDigits],
    ['1e3', PRICE_PROBLEMS.notDigits],
    ['-5', PRICE_PROBLEMS.notDigits],
    ['12,34,5', PRICE_PROBLEMS.notDigits],
    ['Infinity', PRICE_PROBLEMS.notDigits],
    ['1,5', PRICE_PROBLEMS.comma],
    ['19,99', PRICE_PROBLEMS.comma],
    ['10.999', PRICE_PROBLEMS.decimals],
  ])('says what is wrong with %j instead of guessing', (text, problem) => {
    expect(parsePriceInput(text)).toEqual({ problem });
  });
});
