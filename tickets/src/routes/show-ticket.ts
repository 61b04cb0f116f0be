import { Router } from 'express';
import type { TicketService } from '../tickets/ticket-service';

/** `GET /api/tickets/:id`: one ticket, or 404 (also for an id that is not a UUID). */
export function showTicketRouter(service: TicketService): Router {
  const router = Router();
  router.get('/api/tickets/:id', async (req, res) => {
    res.send(await service.findById(String(req.params.id)));
  });
  return router;
}
