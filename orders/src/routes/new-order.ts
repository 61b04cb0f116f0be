import { Router } from 'express';
import { body, matchedData } from 'express-validator';
import { requireAuth, validateRequest } from '@ticketing/common/http';
import type { OrderService } from '../orders/order-service';

/** `POST /api/orders` `{ ticketId }`: the signed-in user reserves a ticket. */
export function newOrderRouter(service: OrderService): Router {
  const router = Router();
  router.post(
    '/api/orders',
    requireAuth,
    body('ticketId', 'TicketId must be provided').isString().bail().trim().isUUID(),
    validateRequest,
    async (req, res) => {
      const { ticketId } = matchedData<{ ticketId: string }>(req);
      res.status(201).send(await service.create(req.currentUser!.id, ticketId.toLowerCase()));
    },
  );
  return router;
}
