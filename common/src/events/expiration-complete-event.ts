import { z } from 'zod';
import { id } from './contract-fields';
import type { Subjects } from './subjects';

/** `expiration:complete`: an order's payment window has closed. */
export const expirationCompleteData = z.object({ orderId: id });

export interface ExpirationCompleteEvent {
  subject: Subjects.ExpirationComplete;
  data: z.output<typeof expirationCompleteData>;
}
