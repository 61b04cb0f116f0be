import type { RequestHandler } from 'express';
import { validationResult } from 'express-validator';
import { RequestValidationError } from '../errors/request-validation-error';
import { checkBodyText } from './well-formed-body';

/**
 * Answers 400 with one entry per invalid field (first message per field) after
 * express-validator chains; then refuses a body that arrived holding text no field may hold
 * (see `inspectBodyText`). It runs after `requireAuth`, so a caller not signed in hears that first.
 */
export const validateRequest: RequestHandler = (req, _res, next) => {
  const result = validationResult(req);
  if (!result.isEmpty()) {
    const fieldErrors = result
      .array({ onlyFirstError: true })
      .map((error) =>
        error.type === 'field' ? { message: String(error.msg), field: error.path } : { message: String(error.msg) },
      );
    throw new RequestValidationError(fieldErrors);
  }
  checkBodyText(req);
  next();
};
