import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import express, { type RequestHandler } from 'express';
import { MalformedBodyError } from '../errors/malformed-body-error';
import { UnsupportedMediaTypeError } from '../errors/unsupported-media-type-error';

/** The largest JSON body a route accepts (the contract's 413 threshold). */
export const BODY_LIMIT = '100kb';

/** How deeply arrays and objects may nest in a body; no route takes more than two levels. */
export const MAX_BODY_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x5b, 0x7b]); // [ {
const CLOSERS = new Set([0x5d, 0x7d]); // ] }

/**
 * True when the JSON text in `bytes` opens more than `limit` arrays or objects inside one
 * another. One pass over the bytes, before anything parses or walks them: a body nested
 * thousands deep would otherwise exhaust the stack of whatever recursed into it first.
 * Brackets inside strings do not count. (Malformed JSON is the parser's to report.)
 */
export function nestedDeeperThan(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (OPENERS.has(byte)) {
      if (++depth > limit) return true;
    } else if (CLOSERS.has(byte)) {
      depth--;
    }
  }
  return false;
}

/**
 * Checks the raw bytes of a JSON body before they are decoded or parsed: UTF-8 only (JSON in
 * another encoding, UTF-16 included, is a 415), bytes that are valid UTF-8 (a 400, never a
 * U+FFFD stored in their place), and no deeper nesting than `MAX_BODY_DEPTH` (a 400).
 */
function checkRawBody(_req: IncomingMessage, _res: unknown, bytes: Buffer, encoding: string | null): void {
  const charset = (encoding ?? 'utf-8').toLowerCase();
  if (charset !== 'utf-8') {
    throw new UnsupportedMediaTypeError(`Request body must be JSON in UTF-8 (charset ${charset} is not supported)`);
  }
  if (!isUtf8(bytes)) throw new MalformedBodyError('Request body must be valid UTF-8 text');
  if (nestedDeeperThan(bytes, MAX_BODY_DEPTH)) {
    throw new MalformedBodyError(`Request body must not be nested more than ${MAX_BODY_DEPTH} levels deep`);
  }
}

/** Parses JSON bodies up to `BODY_LIMIT`, after checking their bytes (see `checkRawBody`). */
export const jsonBody: RequestHandler = express.json({ limit: BODY_LIMIT, verify: checkRawBody });
