import fc from 'fast-check';
import { parsePriceInput } from '../lib/format/price-input';

describe('parsePriceInput (properties)', () => {
  it('reads back every price the edit form shows (two decimals), to the cent', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000_000 }), (cents) => {
        expect(parsePriceInput((cents / 100).toFixed(2))).toEqual({ value: cents / 100 });
      }),
      { numRuns: 2_000 },
    );
  });

  it('answers any text with a number of at most two decimals or a reason, never an exception', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[\d.,$ x-]{0,12}$/)), (text) => {
        const parsed = parsePriceInput(text);
        if ('value' in parsed) {
          expect(Number.isFinite(parsed.value)).toBe(true);
          expect(Math.round(parsed.value * 100) / 100).toBe(parsed.value);
        } else {
          expect(parsed.problem.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
