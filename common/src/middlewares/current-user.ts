import type { RequestHandler } from 'express';
import { verifySessionToken, type CurrentUser } from '../session/session-token';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The signed-in user, set by `currentUser`; undefined when not signed in. */
      currentUser?: CurrentUser;
    }
  }
}

/**
 * Reads the JWT from the session cookie and sets `req.currentUser` when it verifies;
 * any bad token simply means "not signed in". Mount after `sessionCookie`.
 */
export function currentUser(jwtKey: string): RequestHandler {
  return (req, _res, next) => {
    const user = verifySessionToken(req.session?.jwt, jwtKey);
    if (user) req.currentUser = user;
    next();
  };
}
