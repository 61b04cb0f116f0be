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
    // PostgreSQL cannot store NUL, and no title needs a control character.
    .not()
    // eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
    .matches(/[\u0000-\u001f\u007f]/)
    .withMessage('Title must not contain control characters'),
  body('price').custom((value: unknown) => {
    const problem = priceProblem(value);
    if (problem) throw new Error(problem);
    return true;
  }),
];
