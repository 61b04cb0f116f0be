import { jetstreamManager, type ConsumerInfo } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { waitFor } from './wait-for';

/** Whether a consumer has handled every message up to `target`: acknowledged it, or has nothing left at all. */
export function handledUpTo(info: ConsumerInfo, target: number): boolean {
  if (info.num_ack_pending > 0) return false;
  return info.ack_floor.stream_seq >= target || info.num_pending === 0;
}

/**
 * Waits until the stream's durable consumers (all, or those named) have handled every message
 * the stream holds now: each has acknowledged it (a listener acknowledges once its transaction
 * commits, or terminates it for good), or has nothing left to deliver or acknowledge.
 *
 * This is how a test shows that something did not happen because of an event: once the
 * consumers are done with it, whatever it caused is in the database, and nothing more will.
 * Returns the stream sequence it waited for.
 */
export async function waitForConsumers(
  nc: NatsConnection,
  {
    stream = 'ticketing',
    durables,
    timeoutMs = 10_000,
  }: { stream?: string; durables?: readonly string[]; timeoutMs?: number } = {},
): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const target = (await jsm.streams.info(stream)).state.last_seq;
  let behind: string[] = [];
  try {
    await waitFor(
      async () => {
        const infos: ConsumerInfo[] = durables
          ? await Promise.all(durables.map((durable) => jsm.consumers.info(stream, durable)))
          : await jsm.consumers.list(stream).next();
        behind = infos.filter((info) => !handledUpTo(info, target)).map((info) => info.name);
        return behind.length === 0;
      },
      { timeoutMs, message: `consumers to handle stream sequence ${target}` },
    );
  } catch (error) {
    throw new Error(`Consumers still behind stream sequence ${target}: ${behind.join(', ')}`, { cause: error });
  }
  return target;
}
