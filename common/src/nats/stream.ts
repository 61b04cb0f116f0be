import {
  AckPolicy,
  DeliverPolicy,
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

/** How a stream is made when it does not exist yet. */
export interface StreamOptions {
  /** The subjects it captures; every `Subjects` value by default. */
  subjects?: string[];
  /** Copies of the stream kept by a JetStream cluster (1 on a single server, 3 in production). */
  replicas?: number;
}

/**
 * Makes sure the stream `name` exists and captures every `Subjects` value: creates it
 * (file storage, two-minute duplicate window, `replicas` copies) or adds the subjects it
 * lacks, never removing one that another service may rely on. A stream that exists is
 * otherwise used as it is: its replicas are the operator's to change.
 */
export async function ensureStream(nc: NatsConnection, name: string, options: StreamOptions = {}): Promise<void> {
  const { subjects = Object.values(Subjects), replicas = 1 } = options;
  const jsm = await jetstreamManager(nc);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await createOrExtend(jsm, name, subjects, replicas);
      return;
    } catch (error) {
      // Another client may have created or changed the stream between our read and write.
      if (attempt === 2) throw error;
    }
  }
}

async function createOrExtend(
  jsm: JetStreamManager,
  name: string,
  subjects: string[],
  replicas: number,
): Promise<void> {
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
      num_replicas: replicas,
    });
  }
}

/** A durable consumer the setup user makes for a service: `<group>-<subject>`, filtered on the subject. */
export interface DurableConsumer {
  durable: string;
  subject: string;
  ackWaitMs: number;
}

/**
 * Makes the durable consumers a listener reads through (explicit ack, deliver all, its ack
 * wait), or brings an existing one's filter and ack wait in line. The services' users may
 * not make consumers: the user that sets the stream up makes theirs.
 */
export async function ensureConsumers(nc: NatsConnection, stream: string, consumers: DurableConsumer[]): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const { durable, subject, ackWaitMs } of consumers) {
    const ackWait = nanos(ackWaitMs);
    try {
      const { config } = await jsm.consumers.info(stream, durable);
      if (config.ack_wait !== ackWait || config.filter_subject !== subject) {
        await jsm.consumers.update(stream, durable, { ack_wait: ackWait, filter_subject: subject });
      }
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)) throw error;
      await jsm.consumers.add(stream, {
        durable_name: durable,
        filter_subject: subject,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: ackWait,
      });
    }
  }
}
