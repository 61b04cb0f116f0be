import { Router } from 'express';
import { matchedData } from 'express-validator';
import { requireAuth, validateRequest } from '@ticketing/common/http';
import type { ListingFields, TicketService } from '../tickets/ticket-service';
import { ticketBody } from './ticket-body';

/**
 * `PUT /api/tickets/:id`: the owner changes title and price, and what the listing says of
 * its event (a field left out keeps its value); checks run signed in → body → exists → owner.
 */
export function updateTicketRouter(service: TicketService): Router {
  const router = Router();
  router.put('/api/tickets/:id', requireAuth, ...ticketBody, validateRequest, async (req, res) => {
    const fields = matchedData<ListingFields>(req, { locations: ['body'] });
    res.send(await service.update(String(req.params.id), req.currentUser!.id, fields));
  });
  return router;
}
