// en-US in UTC on both sides of hydration: the visitor's own zone would make the server's
// text differ from the browser's.
const day = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' });
const dayAndTime = new Intl.DateTimeFormat('en-US', {
  timeZone: 'UTC',
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  timeZoneName: 'short',
});

// ICU versions differ in which space they put before "PM" (U+202F in newer ones).
const plainSpaces = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

/** "2026-11-21T19:02:00Z" → "Nov 21, 2026". */
export function formatDate(iso: string): string {
  return plainSpaces(day.format(new Date(iso)));
}

/** "2026-11-21T19:02:00Z" → "Nov 21, 2026, 7:02 PM UTC". */
export function formatDateTime(iso: string): string {
  return plainSpaces(dayAndTime.format(new Date(iso)));
}

const eventFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * When an event starts, in its venue's zone: "2027-05-01T23:30:00Z", "America/New_York" →
 * "Sat, May 1, 2027, 7:30 PM EDT". The same text on the server and in any browser.
 */
export function formatEventTime(iso: string | null, timeZone: string): string {
  if (iso === null) return 'Date to be announced';
  let format = eventFormats.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        weekday: 'short',
        year: 'numeric',
        month: 'short',
        day: 'numeric',
        hour: 'numeric',
        minute: '2-digit',
        timeZoneName: 'short',
      });
    } catch {
      // A zone this ICU does not know: say it in UTC rather than not at all.
      return formatDateTime(iso);
    }
    eventFormats.set(timeZone, format);
  }
  return plainSpaces(format.format(new Date(iso)));
}

/** Where: "Fenway Park, Boston", or whichever of the two is known, or null. */
export function formatPlace(venue: string | null, city: string | null): string | null {
  return [venue, city].filter(Boolean).join(', ') || null;
}

/** The offset of `timeZone` from UTC at `utcMs`, in minutes (east positive). */
function offsetMinutes(timeZone: string, utcMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(utcMs));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

/**
 * A wall-clock time in a zone ("2027-05-01T19:30", as a datetime-local input gives it) as the
 * instant it names, in ISO 8601 UTC; undefined when it is not such a time. A time a
 * daylight-saving change skips is moved forward by the gap, as clocks were.
 */
export function zonedTimeToUtc(local: string, timeZone: string): string | undefined {
  const match = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)$/.exec(local);
  if (!match) return undefined;
  const [, year, month, day, hour, minute] = match.map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  try {
    // The offset at a first guess may not be the offset at the answer (a change lies between).
    const first = offsetMinutes(timeZone, wall);
    let utc = wall - first * 60_000;
    const second = offsetMinutes(timeZone, utc);
    if (second !== first) {
      const other = wall - second * 60_000;
      // Unless the time does not exist there (skipped): then the first guess, later by the gap.
      if (offsetMinutes(timeZone, other) === second) utc = other;
    }
    return new Date(utc).toISOString();
  } catch {
    return undefined;
  }
}

/** The instant in a zone as a datetime-local input shows it: "2027-05-01T19:30". */
export function utcToZonedInput(iso: string, timeZone: string): string {
  const ms = Date.parse(iso);
  const local = new Date(ms + offsetMinutes(timeZone, ms) * 60_000);
  return local.toISOString().slice(0, 16);
}
