import type { RequestHandler } from 'express';
import { validationResult } from 'express-validator';
import { RequestValidationError } from '../errors/request-validation-error';

/** Answers 400 with one entry per invalid field (first message per field) after express-validator chains. */
export const validateRequest: RequestHandler = (req, _res, next) => {
  const result = validationResult(req);
  if (result.isEmpty()) return next();
  const fieldErrors = result
    .array({ onlyFirstError: true })
    .map((error) =>
      error.type === 'field' ? { message: String(error.msg), field: error.path } : { message: String(error.msg) },
    );
  throw new RequestValidationError(fieldErrors);
};
