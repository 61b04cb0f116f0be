import cookieSession from 'cookie-session';
import type { RequestHandler } from 'express';

/** Options of the session cookie; `secure` only where TLS terminates in front of the service. */
export interface SessionCookieOptions {
  secure: boolean;
  maxAgeSeconds: number;
}

/**
 * The `session` cookie as the contract fixes it: set by cookie-session, unsigned (the JWT
 * inside is what is signed), HttpOnly, SameSite=Lax, Secure when asked, max age equal to
 * the token's lifetime.
 */
export function sessionCookie({ secure, maxAgeSeconds }: SessionCookieOptions): RequestHandler {
  return cookieSession({
    name: 'session',
    signed: false,
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: maxAgeSeconds * 1000,
  });
}
