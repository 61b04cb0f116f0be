/** The orders the list can be read in; `newest` is the default. */
export const SORTS = ['newest', 'soonest', 'price', '-price'] as const;
export type Sort = (typeof SORTS)[number];

/**
 * Where a page ends under its sort: the last ticket's sort key and id. The key is the
 * creation time (`newest`), the event's start or null for an undated ticket (`soonest`),
 * or the price in cents (`price`, `-price`).
 */
export interface ListCursor {
  sort: Sort;
  key: string | number | null;
  id: string;
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_CENTS = 100_000_000;

/** True for a UUID in its canonical text form. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** An opaque, URL-safe cursor. */
export function encodeCursor({ sort, key, id }: ListCursor): string {
  return Buffer.from(JSON.stringify([sort, key, id])).toString('base64url');
}

/** Only what encodeCursor writes: a four-digit year PostgreSQL can store, in canonical form. */
function isCanonicalTime(value: unknown): value is string {
  if (typeof value !== 'string' || !ISO_TIME.test(value) || value.startsWith('0000')) return false;
  const time = new Date(value);
  return !Number.isNaN(time.getTime()) && time.toISOString() === value;
}

function keyFits(sort: Sort, key: unknown): boolean {
  switch (sort) {
    case 'newest':
      return isCanonicalTime(key);
    case 'soonest':
      return key === null || isCanonicalTime(key);
    case 'price':
    case '-price':
      return Number.isSafeInteger(key) && (key as number) > 0 && (key as number) <= MAX_CENTS;
  }
}

/**
 * The cursor's position, or undefined for anything that is not a cursor we made for `sort`
 * (a cursor of another sort included). The two-item cursors of earlier versions are `newest`.
 */
export function decodeCursor(text: string, sort: Sort): ListCursor | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed)) return undefined;
    const [cursorSort, key, id] = parsed.length === 2 ? ['newest', ...(parsed as unknown[])] : (parsed as unknown[]);
    if (parsed.length !== 2 && parsed.length !== 3) return undefined;
    if (cursorSort !== sort || typeof id !== 'string' || !isUuid(id) || !keyFits(sort, key)) return undefined;
    return { sort, key: key as ListCursor['key'], id };
  } catch {
    return undefined;
  }
}
