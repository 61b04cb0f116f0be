import type { RequestHandler } from 'express';
import { ForbiddenError } from '../errors/forbidden-error';

/**
 * Refuses a request a browser sent on behalf of another site (Sec-Fetch-Site other than
 * same-origin or none, or an Origin naming another host), so no page elsewhere can sign a
 * visitor in or out with a form or a link. Clients that are not browsers send neither header
 * and pass.
 */
export const requireSameOrigin: RequestHandler = (req, _res, next) => {
  const site = req.get('sec-fetch-site');
  if (site !== undefined) {
    if (site === 'same-origin' || site === 'none') return next();
    throw new ForbiddenError('Cross-site requests are not allowed here');
  }
  const origin = req.get('origin');
  if (origin === undefined) return next();
  let originHost: string | undefined;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = undefined;
  }
  // Behind the ingress the Host is the one the browser used; X-Forwarded-Host is trusted as req.host is.
  if (originHost && originHost === req.get('x-forwarded-host')?.split(',')[0]?.trim()) return next();
  if (originHost && originHost === req.get('host')) return next();
  throw new ForbiddenError('Cross-site requests are not allowed here');
};
