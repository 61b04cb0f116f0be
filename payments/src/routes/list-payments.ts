import { Router } from 'express';
import { query, matchedData } from 'express-validator';
import { requireAuth, validateRequest } from '@ticketing/common/http';
import type { PaymentService } from '../payments/payment-service';

/** `GET /api/payments[?orderId=]`: the signed-in user's payments (of one order), newest first. */
export function listPaymentsRouter(service: PaymentService): Router {
  const router = Router();
  router.get(
    '/api/payments',
    requireAuth,
    query('orderId', 'OrderId must be a UUID').optional().isString().bail().trim().isUUID(),
    validateRequest,
    async (req, res) => {
      const { orderId } = matchedData<{ orderId?: string }>(req);
      res.send(await service.listFor(req.currentUser!.id, orderId?.toLowerCase()));
    },
  );
  return router;
}
