import { body, type ValidationChain } from 'express-validator';
import { HIDDEN_CHARACTERS, eventAtProblem, parseEventAt, textProblem, timeZoneOf } from '../tickets/listing-rules';
import { priceProblem } from '../tickets/price';

/**
 * An optional text field: absent keeps its value (or none), null clears it, a string is
 * trimmed and must hold `min`–`max` characters (an empty optional one is null).
 */
function optionalText(field: string, label: string, min: number, max: number): ValidationChain {
  return body(field)
    .optional()
    .custom((value: unknown) => {
      const problem = textProblem(value, label, min, max);
      if (problem) throw new Error(problem);
      return true;
    })
    .customSanitizer((value: unknown) => {
      if (typeof value !== 'string') return null;
      const trimmed = value.trim();
      return trimmed === '' ? null : trimmed;
    });
}

/**
 * The validation of a listing shared by create and update: `{ title, price }` always, and
 * what it says of its event when given (`eventAt`, `timeZone`, `venue`, `city`, `seat`).
 */
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
    .not()
    .matches(HIDDEN_CHARACTERS)
    .withMessage('Title must not contain control or invisible characters'),
  body('price').custom((value: unknown) => {
    const problem = priceProblem(value);
    if (problem) throw new Error(problem);
    return true;
  }),
  body('eventAt')
    .optional()
    .custom((value: unknown) => {
      const problem = eventAtProblem(value, new Date());
      if (problem) throw new Error(problem);
      return true;
    })
    .customSanitizer((value: unknown) => (value === null ? null : parseEventAt(value))),
  body('timeZone')
    .optional()
    .custom((value: unknown) => {
      if (timeZoneOf(value) === undefined) throw new Error('Time zone must be an IANA zone such as America/New_York');
      return true;
    })
    .customSanitizer((value: unknown) => timeZoneOf(value)),
  optionalText('venue', 'Venue', 1, 120),
  optionalText('city', 'City', 1, 80),
  optionalText('seat', 'Seat', 0, 120),
];
