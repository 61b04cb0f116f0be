/** What a listing may say of its event, as the contract words it. */

/** PostgreSQL cannot store NUL, and no name needs a control, invisible or separator character. */
export const HIDDEN_CHARACTERS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** An instant with its offset: 2027-05-01T19:30:00Z, 2027-05-01T15:30:00.000-04:00. */
const INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:\d\d)$/i;

/** How far ahead a listing's event may be. */
export const MAX_YEARS_AHEAD = 2;

/** The instant `value` names, or undefined when it is not an ISO 8601 date and time with its offset. */
export function parseEventAt(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !INSTANT.test(value)) return undefined;
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) return undefined;
  // A day or hour out of range (2027-02-30, 25:00) is refused, not rolled over.
  const [date, clock] = value.split(/T/i) as [string, string];
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const [hour, minute] = clock.slice(0, 5).split(':').map(Number) as [number, number];
  const calendar = new Date(Date.UTC(year, month - 1, day, hour, minute));
  if (calendar.getUTCDate() !== day || calendar.getUTCMonth() !== month - 1 || hour > 23 || minute > 59) {
    return undefined;
  }
  // The column keeps milliseconds: so does the answer.
  return new Date(Math.floor(time.getTime()));
}

/** Why `value` cannot be an event's start at `now`, or undefined when it can (null: to be announced). */
export function eventAtProblem(value: unknown, now: Date): string | undefined {
  if (value === null) return undefined;
  const time = parseEventAt(value);
  if (!time) return 'Event time must be an ISO 8601 date and time with its offset, such as 2027-05-01T19:30:00Z';
  if (time.getTime() <= now.getTime()) return 'Event must be in the future';
  const limit = new Date(now);
  limit.setUTCFullYear(limit.getUTCFullYear() + MAX_YEARS_AHEAD);
  if (time.getTime() > limit.getTime()) return `Event must be at most ${MAX_YEARS_AHEAD} years ahead`;
  return undefined;
}

/** The canonical name of an IANA time zone (any case), or undefined for one there is none of. */
export function timeZoneOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** Why `value` cannot be a venue, city or seat (`label`), or undefined when it can (null clears it). */
export function textProblem(value: unknown, label: string, min: number, max: number): string | undefined {
  if (value === null) return undefined;
  if (typeof value !== 'string') return `${label} must be text`;
  const trimmed = value.trim();
  if (trimmed.length < min || trimmed.length > max) {
    return min === 0 ? `${label} must be at most ${max} characters` : `${label} must be ${min} to ${max} characters`;
  }
  if (HIDDEN_CHARACTERS.test(trimmed)) return `${label} must not contain control or invisible characters`;
  return undefined;
}
