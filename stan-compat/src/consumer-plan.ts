import { createHash } from 'node:crypto';
import { AckPolicy, DeliverPolicy, type ConsumerConfig } from '@nats-io/jetstream';
import { nanos, nuid } from '@nats-io/transport-node';
import { StartPosition, type SubscriptionOptions } from './subscription-options';

/**
 * How long a consumer that is not durable outlives its last member when nobody removes it
 * (a crashed process): JetStream deletes it after this much time without a pull.
 */
export const EPHEMERAL_INACTIVE_MS = 60_000;

/** The most messages one pull asks for (fewer when `maxInFlight` is lower). */
const PULL_BATCH = 100;

/** The JetStream consumer a STAN subscription maps to. */
export interface ConsumerPlan {
  /** The consumer's name on the stream. */
  name: string;
  /** Survives `close()` (and the client's close); removed only by `unsubscribe()`. */
  durable: boolean;
  /** A queue group's consumer, which other members, in other clients, may be pulling from. */
  shared: boolean;
  config: Partial<ConsumerConfig>;
  /**
   * How many messages each pull asks for. Members of a queue group share work whatever it is:
   * the server hands each message to the members' waiting pulls in turn, and delivery to the
   * application does not wait for it to be handled, so one pull is never held up.
   */
  pullBatch: number;
}

const SAFE_NAME = /^[A-Za-z0-9_:-]{1,200}$/;

/**
 * Joins parts into a consumer name. Consumer names may not hold `.`, `*`, `>` or spaces, so
 * a name with other characters is replaced by a readable form plus a hash of the original
 * (`orders.created` → `orders_created-1a2b3c4d`), which keeps different names apart.
 */
export function consumerName(...parts: string[]): string {
  const joined = parts.join('-');
  if (SAFE_NAME.test(joined)) return joined;
  const hash = createHash('sha256').update(joined).digest('hex').slice(0, 8);
  return `${joined.replace(/[^A-Za-z0-9_:-]/g, '_').slice(0, 180)}-${hash}`;
}

function startPolicy(opts: SubscriptionOptions, now: number): Partial<ConsumerConfig> {
  switch (opts.startPosition) {
    case StartPosition.FIRST:
      return { deliver_policy: DeliverPolicy.All };
    case StartPosition.LAST_RECEIVED:
      return { deliver_policy: DeliverPolicy.LastPerSubject };
    case StartPosition.SEQUENCE_START:
      return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, opts.startSequence ?? 1) };
    case StartPosition.TIME_DELTA_START: {
      const start = opts.startDate ?? new Date(now - (opts.startTime ?? 0) / 1_000_000);
      return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: start.toISOString() };
    }
    default:
      return { deliver_policy: DeliverPolicy.New };
  }
}

/**
 * Maps a STAN subscription to a JetStream pull consumer on `subject`:
 *
 * | subscription              | consumer                                   | name                                   |
 * |---------------------------|--------------------------------------------|----------------------------------------|
 * | durable, queue group      | durable, shared by the group's members     | `<group>-<subject>` when durable = group, else `<group>-<durable>-<subject>` |
 * | durable, no group         | durable, one per client id (as in STAN)    | `<clientId>-<durable>-<subject>`       |
 * | queue group, not durable  | shared, gone when the last member leaves   | `<group>-nondurable-<subject>`         |
 * | plain                     | this subscription's own, gone on close     | `<clientId>-<nuid>`                    |
 */
export function planConsumer(
  clientId: string,
  subject: string,
  queueGroup: string | undefined,
  opts: SubscriptionOptions,
  now = Date.now(),
): ConsumerPlan {
  const durable = Boolean(opts.durableName);
  const shared = Boolean(queueGroup);
  let name: string;
  if (queueGroup && opts.durableName) {
    name =
      opts.durableName === queueGroup
        ? consumerName(queueGroup, subject)
        : consumerName(queueGroup, opts.durableName, subject);
  } else if (opts.durableName) {
    name = consumerName(clientId, opts.durableName, subject);
  } else if (queueGroup) {
    name = consumerName(queueGroup, 'nondurable', subject);
  } else {
    name = consumerName(clientId, nuid.next());
  }

  const config: Partial<ConsumerConfig> = {
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(opts.ackWait),
    max_ack_pending: opts.maxInFlight,
    filter_subject: subject,
    ...startPolicy(opts, now),
    ...(durable ? { durable_name: name } : { name, inactive_threshold: nanos(EPHEMERAL_INACTIVE_MS) }),
  };
  const pullBatch = Math.max(1, Math.min(opts.maxInFlight, PULL_BATCH));
  return { name, durable, shared, config, pullBatch };
}
