import { Router } from 'express';
import { matchedData } from 'express-validator';
import { requireAuth, validateRequest } from '@ticketing/common/http';
import type { ListingFields, TicketService } from '../tickets/ticket-service';
import { ticketBody } from './ticket-body';

/** `POST /api/tickets`: the signed-in user lists a ticket, with its event's details when known. */
export function newTicketRouter(service: TicketService): Router {
  const router = Router();
  router.post('/api/tickets', requireAuth, ...ticketBody, validateRequest, async (req, res) => {
    const fields = matchedData<ListingFields>(req, { locations: ['body'] });
    res.status(201).send(await service.create(req.currentUser!.id, fields));
  });
  return router;
}
