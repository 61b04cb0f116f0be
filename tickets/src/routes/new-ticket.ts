import { Router } from 'express';
import { matchedData } from 'express-validator';
import { requireAuth, validateRequest } from '@ticketing/common/http';
import type { TicketService } from '../tickets/ticket-service';
import { ticketBody } from './ticket-body';

/** `POST /api/tickets`: the signed-in user lists a ticket. */
export function newTicketRouter(service: TicketService): Router {
  const router = Router();
  router.post('/api/tickets', requireAuth, ...ticketBody, validateRequest, async (req, res) => {
    const { title, price } = matchedData<{ title: string; price: number }>(req);
    res.status(201).send(await service.create(req.currentUser!.id, title, price));
  });
  return router;
}
