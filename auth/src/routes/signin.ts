import { Router } from 'express';
import { body, matchedData } from 'express-validator';
import { BadRequestError, requireSameOrigin, signSessionToken, validateRequest } from '@ticketing/common/http';
import { InvalidCredentialsError, normalizeEmail } from '../users/account-service';
import type { UserRouteDeps } from './session-deps';
import { clientAddress, countAttempt } from './throttled';

/**
 * `POST /api/users/signin`: checks the credentials and signs the user in. Failed attempts are
 * throttled per account and per client address (429 with Retry-After) and logged, without the
 * password; a success forgets the account's failures.
 */
export function signinRouter({ accounts, jwtKey, jwtExpiresInSeconds, throttle, logger }: UserRouteDeps): Router {
  const router = Router();
  router.post(
    '/api/users/signin',
    requireSameOrigin,
    body('email', 'Email must be valid').isString().bail().trim().isEmail().isLength({ max: 254 }),
    body('password', 'You must supply a password').isString().bail().notEmpty(),
    validateRequest,
    async (req, res) => {
      const { email, password } = matchedData<{ email: string; password: string }>(req);
      const account = `signin:account:${normalizeEmail(email)}`;
      const address = `signin:address:${clientAddress(req)}`;
      const facts = { email: normalizeEmail(email), ip: clientAddress(req) };
      await countAttempt(
        throttle,
        [
          { key: account, rule: throttle.rules.signinAccount },
          { key: address, rule: throttle.rules.signinAddress },
        ],
        logger,
        facts,
      );
      try {
        const signedIn = await accounts.signIn(email, password);
        await throttle.reset(account);
        await throttle.undo(address);
        req.session = { jwt: signSessionToken(signedIn, jwtKey, jwtExpiresInSeconds) };
        res.status(200).send(signedIn);
      } catch (error) {
        if (error instanceof InvalidCredentialsError) {
          logger.warn(facts, 'sign-in failed: invalid credentials');
          throw new BadRequestError('Invalid credentials', undefined, { cause: error });
        }
        throw error;
      }
    },
  );
  return router;
}
