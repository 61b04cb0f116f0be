import {
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { jserrors } from '@nats-io/jetstream/internal';
import { errors, nanos, RequestError, type NatsConnection } from '@nats-io/transport-node';
import { Subjects } from '../events/subjects';

/** How long JetStream remembers a `Nats-Msg-Id` to drop a re-sent event. */
export const DUPLICATE_WINDOW_MS = 2 * 60 * 1000;

function isStreamNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound;
}

/**
 * True when a publish found no stream for its subject: nobody answers a JetStream publish
 * ("no responders"), which the client reports as JetStream not being enabled.
 */
export function isNoStreamError(error: unknown): boolean {
  return (
    error instanceof jserrors.JetStreamNotEnabled ||
    error instanceof errors.NoRespondersError ||
    (error instanceof RequestError && error.isNoResponders())
  );
}

/**
 * Makes sure the stream `name` exists and captures every `Subjects` value: creates it
 * (file storage, two-minute duplicate window) or adds the subjects it lacks, never
 * removing one that another service may rely on.
 */
export async function ensureStream(
  nc: NatsConnection,
  name: string,
  subjects: string[] = Object.values(Subjects),
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await createOrExtend(jsm, name, subjects);
      return;
    } catch (error) {
      // Another client may have created or changed the stream between our read and write.
      if (attempt === 2) throw error;
    }
  }
}

async function createOrExtend(jsm: JetStreamManager, name: string, subjects: string[]): Promise<void> {
  try {
    const info = await jsm.streams.info(name);
    const missing = subjects.filter((subject) => !info.config.subjects.includes(subject));
    if (missing.length > 0) {
      await jsm.streams.update(name, { subjects: [...info.config.subjects, ...missing] });
    }
  } catch (error) {
    if (!isStreamNotFound(error)) throw error;
    await jsm.streams.add({
      name,
      subjects,
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    });
  }
}
