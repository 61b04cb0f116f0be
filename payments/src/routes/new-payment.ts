import { Router } from 'express';
import { body, matchedData } from 'express-validator';
import { requireAuth, validateRequest } from '@ticketing/common/http';
import type { PaymentService } from '../payments/payment-service';

/** `POST /api/payments` `{ orderId, token }`: the buyer pays for their order. */
export function newPaymentRouter(service: PaymentService): Router {
  const router = Router();
  router.post(
    '/api/payments',
    requireAuth,
    body('orderId', 'OrderId must be provided').isString().bail().trim().isUUID(),
    body('token', 'Token must be provided')
      .isString()
      .bail()
      .trim()
      .notEmpty()
      .isLength({ max: 255 })
      .withMessage('Token must be at most 255 characters'),
    validateRequest,
    async (req, res) => {
      const { orderId, token } = matchedData<{ orderId: string; token: string }>(req);
      res.status(201).send(await service.pay(req.currentUser!.id, orderId.toLowerCase(), token));
    },
  );
  return router;
}
