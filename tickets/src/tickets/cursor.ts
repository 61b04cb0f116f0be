/** Where a page of the newest-first list ends: the last ticket's creation time and id. */
export interface ListCursor {
  createdAt: Date;
  id: string;
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a UUID in its canonical text form. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** An opaque, URL-safe cursor. */
export function encodeCursor({ createdAt, id }: ListCursor): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

/** The cursor's position, or undefined for anything that is not a cursor we made. */
export function decodeCursor(text: string): ListCursor | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
    const [time, id] = parsed as unknown[];
    if (typeof time !== 'string' || typeof id !== 'string' || !isUuid(id)) return undefined;
    // Only what encodeCursor writes: a four-digit year PostgreSQL can store, in canonical form.
    if (!ISO_TIME.test(time)) return undefined;
    const createdAt = new Date(time);
    if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== time || time.startsWith('0000'))
      return undefined;
    return { createdAt, id };
  } catch {
    return undefined;
  }
}
