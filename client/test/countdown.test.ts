import { formatCountdown } from '../lib/format/countdown';

describe('formatCountdown', () => {
  it('shows minutes and zero-padded seconds', () => {
    expect(formatCountdown(15 * 60_000)).toBe('15:00');
    expect(formatCountdown(65_000)).toBe('1:05');
  });

  it('rounds a part of a second up, so 0:00 means the time is up', () => {
    expect(formatCountdown(59_001)).toBe('1:00');
    expect(formatCountdown(1)).toBe('0:01');
    expect(formatCountdown(0)).toBe('0:00');
  });

  it('never shows a negative time', () => {
    expect(formatCountdown(-5_000)).toBe('0:00');
  });
});
