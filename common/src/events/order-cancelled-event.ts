import { z } from 'zod';
import { id, version } from './contract-fields';
import type { Subjects } from './subjects';

/** `order:cancelled`: cancelled by its buyer or expired; its ticket is free again. */
export const orderCancelledData = z.object({ id, version, ticket: z.object({ id }) });

export interface OrderCancelledEvent {
  subject: Subjects.OrderCancelled;
  data: z.output<typeof orderCancelledData>;
}
