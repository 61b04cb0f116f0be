import { body } from 'express-validator';
import { priceProblem } from '../tickets/price';

/** The validation of `{ title, price }` shared by create and update. */
export const ticketBody = [
  body('title')
    .isString()
    .withMessage('Title is required')
    .bail()
    .trim()
    .notEmpty()
    .withMessage('Title is required')
    .bail()
    .isLength({ max: 200 })
    .withMessage('Title must be at most 200 characters')
    // PostgreSQL cannot store NUL, and no title needs a control character, an invisible
    // format character (zero-width space, bidi override) or a line or paragraph separator.
    .not()
    .matches(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u)
    .withMessage('Title must not contain control or invisible characters'),
  body('price').custom((value: unknown) => {
    const problem = priceProblem(value);
    if (problem) throw new Error(problem);
    return true;
  }),
];
