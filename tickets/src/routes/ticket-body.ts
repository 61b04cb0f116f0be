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
    .withMessage('Title must be at most 200 characters'),
  body('price').custom((value: unknown) => {
    const problem = priceProblem(value);
    if (problem) throw new Error(problem);
    return true;
  }),
];
