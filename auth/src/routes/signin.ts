import { Router } from 'express';
import { body, matchedData } from 'express-validator';
import { BadRequestError, signSessionToken, validateRequest } from '@ticketing/common/http';
import { InvalidCredentialsError } from '../users/account-service';
import type { UserRouteDeps } from './session-deps';

/** `POST /api/users/signin`: checks the credentials and signs the user in. */
export function signinRouter({ accounts, jwtKey, jwtExpiresInSeconds }: UserRouteDeps): Router {
  const router = Router();
  router.post(
    '/api/users/signin',
    body('email', 'Email must be valid').isString().bail().trim().isEmail().isLength({ max: 254 }),
    body('password', 'You must supply a password').isString().bail().notEmpty(),
    validateRequest,
    async (req, res) => {
      const { email, password } = matchedData<{ email: string; password: string }>(req);
      try {
        const account = await accounts.signIn(email, password);
        req.session = { jwt: signSessionToken(account, jwtKey, jwtExpiresInSeconds) };
        res.status(200).send(account);
      } catch (error) {
        if (error instanceof InvalidCredentialsError)
          throw new BadRequestError('Invalid credentials', undefined, { cause: error });
        throw error;
      }
    },
  );
  return router;
}
