import { Router } from 'express';

/** `GET /api/users/currentuser`: who the session cookie says is signed in, or null. */
export function currentUserRouter(): Router {
  const router = Router();
  router.get('/api/users/currentuser', (req, res) => {
    res.send({ currentUser: req.currentUser ?? null });
  });
  return router;
}
