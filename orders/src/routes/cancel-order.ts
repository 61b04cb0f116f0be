import { Router } from 'express';
import { requireAuth } from '@ticketing/common/http';
import type { OrderService } from '../orders/order-service';

/** `DELETE /api/orders/:id`: the buyer cancels an order that is not paid; 204 also when it was cancelled already. */
export function cancelOrderRouter(service: OrderService): Router {
  const router = Router();
  router.delete('/api/orders/:id', requireAuth, async (req, res) => {
    await service.cancel(req.currentUser!.id, String(req.params.id));
    res.status(204).end();
  });
  return router;
}
