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
