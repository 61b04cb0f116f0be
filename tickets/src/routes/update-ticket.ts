import { Router } from 'express';
import { matchedData } from 'express-validator';
import { requireAuth, validateRequest } from '@ticketing/common/http';
import type { TicketService } from '../tickets/ticket-service';
import { ticketBody } from './ticket-body';

/** `PUT /api/tickets/:id`: the owner changes title and price; checks run signed in → body → exists → owner. */
export function updateTicketRouter(service: TicketService): Router {
  const router = Router();
  router.put('/api/tickets/:id', requireAuth, ...ticketBody, validateRequest, async (req, res) => {
    const { title, price } = matchedData<{ title: string; price: number }>(req, { locations: ['body'] });
    res.send(await service.update(String(req.params.id), req.currentUser!.id, title, price));
  });
  return router;
}
