import { Router } from 'express';

/** `POST /api/users/signout`: expires the session cookie. */
export function signoutRouter(): Router {
  const router = Router();
  router.post('/api/users/signout', (req, res) => {
    req.session = null;
    res.send({});
  });
  return router;
}
