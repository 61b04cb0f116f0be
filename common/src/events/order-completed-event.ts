import { z } from 'zod';
import { id, version } from './contract-fields';
import type { Subjects } from './subjects';

/** `order:completed`: the order was paid; it never expires and cannot be cancelled. */
export const orderCompletedData = z.object({ id, version, ticket: z.object({ id }) });

export interface OrderCompletedEvent {
  subject: Subjects.OrderCompleted;
  data: z.output<typeof orderCompletedData>;
}
