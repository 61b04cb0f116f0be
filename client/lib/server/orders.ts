import { isAxiosError } from 'axios';
import { cache } from 'react';
import { isUnavailable } from '../api/api-errors';
import type { Order } from '../api/types';
import { describeError, log } from './log';
import { serverClient } from './server-client';

/** What asking for one order can come to; anything else (a bug, a 500) throws to the error page. */
export type OrderLookup =
  { kind: 'found'; order: Order } | { kind: 'missing' } | { kind: 'forbidden' } | { kind: 'unavailable' };

/** Looks one of the visitor's orders up. Memoized per request: the page and its metadata both ask. */
export const findOrder = cache(async (id: string): Promise<OrderLookup> => {
  const client = await serverClient();
  try {
    const { data } = await client.get<Order>(`/api/orders/${encodeURIComponent(id)}`);
    return { kind: 'found', order: data };
  } catch (error) {
    if (isAxiosError(error) && error.response?.status === 404) return { kind: 'missing' };
    if (isAxiosError(error) && error.response?.status === 401) return { kind: 'forbidden' };
    if (!isUnavailable(error)) throw error;
    log.warn({ ...describeError(error), orderId: id }, 'order unavailable');
    return { kind: 'unavailable' };
  }
});

/** The visitor's orders, newest first; null when the orders service cannot answer. */
export async function listOrders(): Promise<Order[] | null> {
  const client = await serverClient();
  try {
    return (await client.get<Order[]>('/api/orders')).data;
  } catch (error) {
    if (!isUnavailable(error)) throw error;
    log.warn(describeError(error), 'orders unavailable');
    return null;
  }
}
