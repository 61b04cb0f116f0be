import { formatDate, formatDateTime } from '../lib/format/date';

describe('formatDate', () => {
  it('shows the UTC calendar day, whatever the local zone', () => {
    expect(formatDate('2026-11-21T23:59:00Z')).toBe('Nov 21, 2026');
    expect(formatDate('2026-11-22T00:01:00Z')).toBe('Nov 22, 2026');
  });
});

describe('formatDateTime', () => {
  it('shows the time in UTC, labelled as such', () => {
    expect(formatDateTime('2026-11-21T19:02:00.000Z')).toBe('Nov 21, 2026, 7:02 PM UTC');
  });

  it('shows the first hour after midnight as 12 AM', () => {
    expect(formatDateTime('2026-01-05T00:30:00Z')).toBe('Jan 5, 2026, 12:30 AM UTC');
  });

  it('uses plain spaces only, so every ICU version renders the same text', () => {
    expect(formatDateTime('2026-11-21T19:02:00Z')).not.toMatch(/[\u00a0\u202f]/);
  });
});
