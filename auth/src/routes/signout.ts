import { Router } from 'express';
import { requireSameOrigin } from '@ticketing/common/http';

/**
 * `POST /api/users/signout`: expires the session cookie. Only from the app's own pages: a page
 * elsewhere cannot sign a visitor out with a form.
 */
export function signoutRouter(): Router {
  const router = Router();
  router.post('/api/users/signout', requireSameOrigin, (req, res) => {
    req.session = null;
    res.send({});
  });
  return router;
}
