import { Router } from 'express';
import { requireAuth } from '@ticketing/common/http';
import type { OrderService } from '../orders/order-service';

/** `GET /api/orders/:id`: one of the signed-in user's orders. */
export function showOrderRouter(service: OrderService): Router {
  const router = Router();
  router.get('/api/orders/:id', requireAuth, async (req, res) => {
    res.send(await service.findFor(req.currentUser!.id, String(req.params.id)));
  });
  return router;
}
