import type { OrderStatus } from '@ticketing/common/events';
import type { orders } from '../db/schema';
import type { TicketCopy } from '../db/ticket-copy';

/** An order as the API shows it. */
export interface Order {
  id: string;
  userId: string;
  status: `${OrderStatus}`;
  expiresAt: string;
  version: number;
  /** When it was cancelled, by its buyer or by its expiry (expired when at or after `expiresAt`); null otherwise. */
  cancelledAt: string | null;
  /** `price` is what the order was placed at, and what payments charges. */
  ticket: { id: string; title: string; price: number };
}

/** The API's view of an order row and its ticket. */
export function toOrder(
  row: typeof orders.$inferSelect,
  ticket: Pick<TicketCopy, 'id' | 'title' | 'priceCents'>,
): Order {
  return {
    id: row.id,
    userId: row.userId,
    status: row.status,
    expiresAt: row.expiresAt.toISOString(),
    version: row.version,
    cancelledAt: row.cancelledAt?.toISOString() ?? null,
    ticket: { id: ticket.id, title: ticket.title, price: (row.priceCents ?? ticket.priceCents) / 100 },
  };
}
