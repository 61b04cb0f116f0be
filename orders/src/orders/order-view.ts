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
    ticket: { id: ticket.id, title: ticket.title, price: ticket.priceCents / 100 },
  };
}
