import { Router } from 'express';
import { requireAuth } from '@ticketing/common/http';
import type { TicketService } from '../tickets/ticket-service';

/**
 * `DELETE /api/tickets/:id`: the owner takes a free listing down (204); the ticket keeps its
 * page, with status `withdrawn`, and leaves the public list. Checks run signed in → exists → owner.
 */
export function withdrawTicketRouter(service: TicketService): Router {
  const router = Router();
  router.delete('/api/tickets/:id', requireAuth, async (req, res) => {
    await service.withdraw(String(req.params.id), req.currentUser!.id);
    res.status(204).end();
  });
  return router;
}
