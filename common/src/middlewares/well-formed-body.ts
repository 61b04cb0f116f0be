import type { RequestHandler } from 'express';
import { MalformedBodyError } from '../errors/malformed-body-error';

// With the `u` flag a surrogate pair is one code point: only an unpaired half is in Cs.
const UNPAIRED_SURROGATE = /\p{Cs}/u;
const isWellFormed = (text: string) => !UNPAIRED_SURROGATE.test(text);

/** The first string (key or value) in `value` holding an unpaired surrogate, as a path. */
function firstMalformed(value: unknown, path: string[]): string[] | undefined {
  if (typeof value === 'string') return isWellFormed(value) ? undefined : path;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = firstMalformed(item, [...path, String(i)]);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (!isWellFormed(key)) return [...path, key];
      const found = firstMalformed(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Refuses a JSON body holding an unpaired surrogate (`"\ud800"`): JSON's syntax allows the
 * escape, but it is no character, and PostgreSQL would silently store U+FFFD in its place.
 * Answers 400 naming the top-level field.
 */
export const wellFormedBody: RequestHandler = (req, _res, next) => {
  const path = firstMalformed(req.body, []);
  if (!path) return next();
  const field = path[0];
  const name = field ? field.charAt(0).toUpperCase() + field.slice(1) : 'Request body';
  throw new MalformedBodyError(
    `${isWellFormed(name) ? name : 'Request body'} must be valid Unicode text (it holds an unpaired surrogate)`,
    field && isWellFormed(field) ? field : undefined,
  );
};
