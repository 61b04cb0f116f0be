import { Router } from 'express';
import { body, matchedData } from 'express-validator';
import { BadRequestError, requireSameOrigin, signSessionToken, validateRequest } from '@ticketing/common/http';
import { EmailTakenError } from '../db/user-repository';
import { normalizeEmail } from '../users/account-service';
import type { UserRouteDeps } from './session-deps';
import { clientAddress, countAttempt } from './throttled';

/** `POST /api/users/signup`: creates an account and signs it in; throttled per email and per client address. */
export function signupRouter({ accounts, jwtKey, jwtExpiresInSeconds, throttle, logger }: UserRouteDeps): Router {
  const router = Router();
  router.post(
    '/api/users/signup',
    requireSameOrigin,
    body('email', 'Email must be valid').isString().bail().trim().isEmail().isLength({ max: 254 }),
    body('password', 'Password must be between 8 and 128 characters').isString().bail().isLength({ min: 8, max: 128 }),
    validateRequest,
    async (req, res) => {
      const { email, password } = matchedData<{ email: string; password: string }>(req);
      const facts = { email: normalizeEmail(email), ip: clientAddress(req) };
      await countAttempt(
        throttle,
        [
          { key: `signup:account:${normalizeEmail(email)}`, rule: throttle.rules.signupAccount },
          { key: `signup:address:${clientAddress(req)}`, rule: throttle.rules.signupAddress },
        ],
        logger,
        facts,
      );
      try {
        const account = await accounts.signUp(email, password);
        req.session = { jwt: signSessionToken(account, jwtKey, jwtExpiresInSeconds) };
        res.status(201).send(account);
      } catch (error) {
        if (error instanceof EmailTakenError) {
          logger.warn(facts, 'sign-up refused: email in use');
          throw new BadRequestError('Email in use', undefined, { cause: error });
        }
        throw error;
      }
    },
  );
  return router;
}
