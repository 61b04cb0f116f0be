import type { RequestHandler } from 'express';
import { NotAuthorizedError } from '../errors/not-authorized-error';

/** Answers 401 "Not authorized" unless `currentUser` found a signed-in user. */
export const requireAuth: RequestHandler = (req, _res, next) => {
  if (!req.currentUser) throw new NotAuthorizedError();
  next();
};
