import type { RequestHandler } from 'express';
import { NotFoundError } from '../errors/not-found-error';

/** The last route of every app: any unknown method or path is a 404 in the contract's format. */
export const notFound: RequestHandler = () => {
  throw new NotFoundError();
};
