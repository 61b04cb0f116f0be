import { formatDate, formatDateTime, formatEventTime, utcToZonedInput, zonedTimeToUtc } from '../lib/format/date';

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

describe('formatEventTime', () => {
  it('shows the start in the venue’s zone, with its abbreviation', () => {
    expect(formatEventTime('2027-05-01T23:30:00.000Z', 'America/New_York')).toBe('Sat, May 1, 2027, 7:30 PM EDT');
    expect(formatEventTime('2027-01-15T20:00:00.000Z', 'Europe/Paris')).toBe('Fri, Jan 15, 2027, 9:00 PM GMT+1');
  });

  it('says an undated event is to be announced', () => {
    expect(formatEventTime(null, 'UTC')).toBe('Date to be announced');
  });
});

describe('zonedTimeToUtc and utcToZonedInput', () => {
  it('read a wall-clock time in a zone as the instant it names, and back', () => {
    expect(zonedTimeToUtc('2027-05-01T19:30', 'America/New_York')).toBe('2027-05-01T23:30:00.000Z');
    expect(zonedTimeToUtc('2027-01-15T21:00', 'Europe/Paris')).toBe('2027-01-15T20:00:00.000Z');
    expect(zonedTimeToUtc('2027-07-01T09:00', 'Asia/Kolkata')).toBe('2027-07-01T03:30:00.000Z');
    expect(utcToZonedInput('2027-05-01T23:30:00.000Z', 'America/New_York')).toBe('2027-05-01T19:30');
  });

  it('are exact on both sides of a daylight-saving change, and move a skipped time forward', () => {
    // New York springs forward at 2:00 on 2027-03-14 and falls back at 2:00 on 2027-11-07.
    expect(zonedTimeToUtc('2027-03-14T01:30', 'America/New_York')).toBe('2027-03-14T06:30:00.000Z');
    expect(zonedTimeToUtc('2027-03-14T03:30', 'America/New_York')).toBe('2027-03-14T07:30:00.000Z');
    expect(zonedTimeToUtc('2027-03-14T02:30', 'America/New_York')).toBe('2027-03-14T07:30:00.000Z');
    expect(zonedTimeToUtc('2027-11-07T03:00', 'America/New_York')).toBe('2027-11-07T08:00:00.000Z');
  });

  it('give nothing for what is not a datetime-local value', () => {
    expect(zonedTimeToUtc('', 'UTC')).toBeUndefined();
    expect(zonedTimeToUtc('2027-05-01 19:30', 'UTC')).toBeUndefined();
  });
});
