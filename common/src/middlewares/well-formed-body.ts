import type { RequestHandler } from 'express';
import { MalformedBodyError } from '../errors/malformed-body-error';

// With the `u` flag a surrogate pair is one code point: only an unpaired half is in Cs.
const UNPAIRED_SURROGATE = /\p{Cs}/u;
// C0 and C1 controls, NUL, DEL and NEL among them: no field of any route is meant to hold one.
const CONTROL = /\p{Cc}/u;

type Problem = 'surrogate' | 'control';

function problemOf(text: string): Problem | undefined {
  if (UNPAIRED_SURROGATE.test(text)) return 'surrogate';
  if (CONTROL.test(text)) return 'control';
  return undefined;
}

interface Found {
  path: string[];
  problem: Problem;
  /** True when the offending string is a key rather than a value. */
  inKey: boolean;
}

/** The first string (key or value) in `value` that is not text a field may hold. Depth is bounded by `jsonBody`. */
function firstBadString(value: unknown, path: string[]): Found | undefined {
  if (typeof value === 'string') {
    const problem = problemOf(value);
    return problem ? { path, problem, inKey: false } : undefined;
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = firstBadString(item, [...path, String(i)]);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const problem = problemOf(key);
      if (problem) return { path: [...path, key], problem, inKey: true };
      const found = firstBadString(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

const DESCRIPTIONS: Record<Problem, string> = {
  surrogate: 'must be valid Unicode text (it holds an unpaired surrogate)',
  control: 'must not contain control characters',
};

/** What `inspectBodyText` found in each request's body as it arrived, before any sanitizer trimmed it. */
const bodyProblems = new WeakMap<object, Found>();

/**
 * Looks through a JSON body as it arrived for a string no field may hold: an unpaired
 * surrogate (`"\ud800"`: JSON's syntax allows the escape, but it is no character, and
 * PostgreSQL would silently store U+FFFD in its place) or a control character (NUL, which
 * PostgreSQL cannot store in text at all, line breaks, DEL, the C1 controls). It answers
 * nothing itself: `validateRequest` refuses such a body once the session and the route's own
 * rules have had their say, so a caller not signed in hears that first.
 */
export const inspectBodyText: RequestHandler = (req, _res, next) => {
  const problem = firstBadString(req.body, []);
  if (problem) bodyProblems.set(req, problem);
  next();
};

/** Throws a 400, naming the top-level field, when `inspectBodyText` found a string no field may hold in the request's body. */
export function checkBodyText(req: object): void {
  const problem = bodyProblems.get(req);
  if (!problem) return;
  // A field is named only when its own name is clean text and the problem is in its value.
  const field = problem.path[0];
  const named = field !== undefined && problemOf(field) === undefined && !(problem.inKey && problem.path.length === 1);
  const name = named ? field.charAt(0).toUpperCase() + field.slice(1) : 'Request body';
  throw new MalformedBodyError(`${name} ${DESCRIPTIONS[problem.problem]}`, named ? field : undefined);
}
