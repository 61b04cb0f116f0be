import { Router } from 'express';
import { matchedData, query } from 'express-validator';
import { RequestValidationError, validateRequest } from '@ticketing/common/http';
import { InvalidCursorError, type TicketService } from '../tickets/ticket-service';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 100;

/**
 * `GET /api/tickets?limit=&cursor=`: newest first, at most `limit`; when more exist the
 * `Link` header names the next page (`rel="next"`), which stays correct while tickets
 * are being added (keyset pagination on creation time and id).
 */
export function listTicketsRouter(service: TicketService): Router {
  const router = Router();
  router.get(
    '/api/tickets',
    // `custom` sees a repeated parameter as the array it is; `isInt` would check each item.
    query('limit')
      .optional()
      .custom(
        (value: unknown) => typeof value === 'string' && /^\d{1,3}$/.test(value) && +value >= 1 && +value <= MAX_LIMIT,
      )
      .withMessage(`Limit must be a whole number from 1 to ${MAX_LIMIT}`)
      .bail()
      .toInt(),
    query('cursor')
      .optional()
      .custom((value: unknown) => typeof value === 'string')
      .withMessage('Cursor is invalid'),
    validateRequest,
    async (req, res) => {
      const { limit = DEFAULT_LIMIT, cursor } = matchedData<{ limit?: number; cursor?: string }>(req);
      let page;
      try {
        page = await service.listNewest(limit, cursor);
      } catch (error) {
        if (error instanceof InvalidCursorError) {
          throw new RequestValidationError([{ message: error.message, field: 'cursor' }]);
        }
        throw error;
      }
      if (page.nextCursor) {
        const next = new URLSearchParams({ limit: String(limit), cursor: page.nextCursor });
        res.set('Link', `</api/tickets?${next}>; rel="next"`);
      }
      res.send(page.tickets);
    },
  );
  return router;
}
