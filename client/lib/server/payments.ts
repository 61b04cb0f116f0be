import { cache } from 'react';
import type { Payment } from '../api/types';
import { describeError, log } from './log';
import { serverClient } from './server-client';

/**
 * The visitor's payment for an order: null when there is none, `unavailable` when the
 * payments service cannot answer or answers something unexpected — the page then shows
 * the order without it, since the order is what the visitor came for.
 */
export const findPayment = cache(async (orderId: string): Promise<Payment | null | 'unavailable'> => {
  const client = await serverClient();
  try {
    const { data } = await client.get<Payment[]>('/api/payments', { params: { orderId } });
    return data[0] ?? null;
  } catch (error) {
    log.warn({ ...describeError(error), orderId }, 'payment unavailable');
    return 'unavailable';
  }
});
