import { randomUUID } from 'node:crypto';
import type { Event } from '../events/base-event';
import type { Db } from '../db/open-database';
import { outbox } from './outbox-table';

/**
 * Records an event in the outbox; call it inside the transaction that makes the change,
 * so both commit or neither does. Returns the event's id (its future `Nats-Msg-Id`).
 */
export async function enqueueEvent<T extends Event>(
  // Any service's schema: only the outbox table is touched.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  tx: Db<any>,
  subject: T['subject'],
  data: T['data'],
): Promise<string> {
  const id = randomUUID();
  await tx.insert(outbox).values({ id, subject, data });
  return id;
}
