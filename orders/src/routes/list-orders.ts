import { Router } from 'express';
import { requireAuth } from '@ticketing/common/http';
import type { OrderService } from '../orders/order-service';

/** `GET /api/orders`: the signed-in user's orders, newest first. */
export function listOrdersRouter(service: OrderService): Router {
  const router = Router();
  router.get('/api/orders', requireAuth, async (req, res) => {
    res.send(await service.listFor(req.currentUser!.id));
  });
  return router;
}
