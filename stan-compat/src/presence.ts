import { Empty, RequestError, TimeoutError, type NatsConnection, type Subscription } from '@nats-io/transport-node';

/**
 * Who is connected, kept on plain NATS subjects: the streaming server knew its clients and
 * each queue group's members; JetStream does not. Each client, and each member of a queue
 * group, answers requests on its presence subject; asking there tells whether anyone is.
 */
const PREFIX = '_STAN_COMPAT';

/** The subject a client answers on while it is connected under `clientId`. */
export function clientSubject(clusterId: string, clientId: string): string {
  return `${PREFIX}.${clusterId}.client.${clientId}`;
}

/** The subject every member of the queue group reading `consumer` answers on. */
export function groupSubject(clusterId: string, consumer: string): string {
  return `${PREFIX}.${clusterId}.group.${consumer}`;
}

/** Answers every request on `subject` until the returned subscription is unsubscribed. */
export function announce(nc: NatsConnection, subject: string): Subscription {
  return nc.subscribe(subject, {
    callback: (_error, msg) => {
      msg.respond();
    },
  });
}

/**
 * Asks on `subject` whether someone answers: `present`, `absent` (nobody is subscribed), or
 * `unknown` (someone is subscribed but did not answer within `timeoutMs`).
 */
export async function ask(
  nc: NatsConnection,
  subject: string,
  timeoutMs: number,
): Promise<'present' | 'absent' | 'unknown'> {
  try {
    await nc.request(subject, Empty, { timeout: timeoutMs });
    return 'present';
  } catch (error) {
    if (error instanceof RequestError && error.isNoResponders()) return 'absent';
    if (error instanceof TimeoutError) return 'unknown';
    throw error;
  }
}
