import { Router } from 'express';
import { body, matchedData } from 'express-validator';
import { BadRequestError, signSessionToken, validateRequest } from '@ticketing/common/http';
import { EmailTakenError } from '../db/user-repository';
import type { UserRouteDeps } from './session-deps';

/** `POST /api/users/signup`: creates an account and signs it in. */
export function signupRouter({ accounts, jwtKey, jwtExpiresInSeconds }: UserRouteDeps): Router {
  const router = Router();
  router.post(
    '/api/users/signup',
    body('email', 'Email must be valid').isString().bail().trim().isEmail().isLength({ max: 254 }),
    body('password', 'Password must be between 8 and 128 characters').isString().bail().isLength({ min: 8, max: 128 }),
    validateRequest,
    async (req, res) => {
      const { email, password } = matchedData<{ email: string; password: string }>(req);
      try {
        const account = await accounts.signUp(email, password);
        req.session = { jwt: signSessionToken(account, jwtKey, jwtExpiresInSeconds) };
        res.status(201).send(account);
      } catch (error) {
        if (error instanceof EmailTakenError) throw new BadRequestError('Email in use', undefined, { cause: error });
        throw error;
      }
    },
  );
  return router;
}
