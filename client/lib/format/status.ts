import type { TicketStatus } from '../api/types';

/** What a page says of where a listing stands. */
export const STATUS_LABELS: Record<TicketStatus, string> = {
  available: 'Available',
  reserved: 'Reserved',
  sold: 'Sold',
  withdrawn: 'Withdrawn',
};
