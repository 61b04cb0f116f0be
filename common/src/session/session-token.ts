import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

/** What a session token says about its user. */
export interface UserPayload {
  id: string;
  email: string;
}

/** The decoded token as `currentUser` exposes it: the payload plus issue and expiry times (seconds). */
export interface CurrentUser extends UserPayload {
  iat: number;
  exp: number;
}

const ALGORITHM = 'HS256' as const;

// jsonwebtoken turns a string key into a KeyObject on every call (trying it as a public key
// first), which cost more than the rest of a request: each key is made once.
const keys = new Map<string, KeyObject>();

function keyObject(key: string): KeyObject {
  let object = keys.get(key);
  if (!object) {
    object = createSecretKey(Buffer.from(key, 'utf8'));
    keys.set(key, object);
  }
  return object;
}

/** Signs a session token (HS256) that expires after `expiresInSeconds`. */
export function signSessionToken(user: UserPayload, key: string, expiresInSeconds: number): string {
  return jwt.sign({ id: user.id, email: user.email }, keyObject(key), {
    algorithm: ALGORITHM,
    expiresIn: expiresInSeconds,
  });
}

/**
 * Verifies a session token with the algorithm pinned to HS256; returns null for anything
 * missing, malformed, tampered with, expired or signed another way.
 */
export function verifySessionToken(token: unknown, key: string): CurrentUser | null {
  if (typeof token !== 'string' || token.length === 0) return null;
  try {
    const decoded = jwt.verify(token, keyObject(key), { algorithms: [ALGORITHM] });
    if (
      typeof decoded !== 'object' ||
      typeof decoded.id !== 'string' ||
      typeof decoded.email !== 'string' ||
      typeof decoded.iat !== 'number' ||
      typeof decoded.exp !== 'number'
    ) {
      return null;
    }
    return { id: decoded.id, email: decoded.email, iat: decoded.iat, exp: decoded.exp };
  } catch {
    return null;
  }
}
