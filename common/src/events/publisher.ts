import { randomUUID } from 'node:crypto';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { parseEventData, type Event } from './event-contracts';
import type { Subjects } from './subjects';

/** Options of one publish: `msgId` becomes `Nats-Msg-Id`, so a re-sent event is stored once. */
export interface PublishOptions {
  msgId?: string;
  /** Headers the message carries besides its id, e.g. the trace context (`traceparent`). */
  headers?: Record<string, string>;
}

/** The NATS headers for `values`, or undefined for none. */
function headersOf(values: Record<string, string> | undefined) {
  if (!values) return undefined;
  const entries = Object.entries(values);
  if (entries.length === 0) return undefined;
  const result = natsHeaders();
  for (const [key, value] of entries) result.set(key, value);
  return result;
}

/**
 * Validates `data` against the subject's contract and publishes it to JetStream with its
 * message id; resolves with the stream sequence once stored (the same sequence again when
 * the id was a duplicate).
 */
export async function publishEvent<S extends Subjects>(
  js: JetStreamClient,
  subject: S,
  data: Event<S>['data'],
  options: PublishOptions = {},
): Promise<number> {
  const body = JSON.stringify(parseEventData(subject, data));
  const ack = await js.publish(subject, body, {
    msgID: options.msgId ?? randomUUID(),
    headers: headersOf(options.headers),
  });
  return ack.seq;
}

/**
 * Publishes one kind of event to JetStream, as the reference design's publishers do:
 * subclasses fix `subject`, and the compiler holds `data` to that subject's contract.
 * `publish` validates the body, then resolves with the stream sequence once stored.
 */
export abstract class Publisher<T extends Event> {
  abstract readonly subject: T['subject'];
  protected readonly js: JetStreamClient;

  constructor(client: NatsConnection) {
    this.js = jetstream(client);
  }

  publish(data: T['data'], options: PublishOptions = {}): Promise<number> {
    return publishEvent(this.js, this.subject, data as never, options);
  }
}
