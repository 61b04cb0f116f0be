import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Event } from '../events/event-contracts';
import type { Listener, ListenerOutcome } from '../events/listener';
import type { Subjects } from '../events/subjects';
import { waitFor } from './wait-for';

/** One message as the stream holds it. */
export interface StoredEvent<S extends Subjects = Subjects> {
  subject: S;
  seq: number;
  // The data as stored: tests read fields of any subject from it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
  msgId?: string;
}

/** Every message the stream holds (optionally of some subjects only), in stream order: the bus as a listener sees it. */
export async function storedEvents(
  nc: NatsConnection,
  { stream = 'ticketing', subjects }: { stream?: string; subjects?: Subjects[] } = {},
): Promise<StoredEvent[]> {
  const jsm = await jetstreamManager(nc);
  const { state } = await jsm.streams.info(stream);
  const events: StoredEvent[] = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const message = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (!message || (subjects && !subjects.includes(message.subject as Subjects))) continue;
    events.push({
      subject: message.subject as Subjects,
      seq: message.seq,
      data: message.json(),
      msgId: message.header?.get('Nats-Msg-Id'),
    });
  }
  return events;
}

/** Waits until the stored events that `match` number at least `count`, then returns those. */
export async function waitForEvents(
  nc: NatsConnection,
  count: number,
  {
    match = () => true,
    stream,
    timeoutMs = 10_000,
  }: { match?: (event: StoredEvent) => boolean; stream?: string; timeoutMs?: number } = {},
): Promise<StoredEvent[]> {
  let found: StoredEvent[] = [];
  await waitFor(
    async () => {
      found = (await storedEvents(nc, { stream })).filter(match);
      return found.length >= count;
    },
    { timeoutMs, message: `${count} matching events in the stream` },
  );
  return found;
}

/** Every outcome a listener reports from now on, in order (an array that keeps filling). */
export function recordOutcomes(listener: Listener<Event>): ListenerOutcome[] {
  const outcomes: ListenerOutcome[] = [];
  listener.events.on('outcome', (outcome: ListenerOutcome) => outcomes.push(outcome));
  return outcomes;
}

/** Resolves with the first outcome (ack, nak or term) the listener reports that `match` accepts. */
export function nextOutcome(
  listener: Listener<Event>,
  match: (outcome: ListenerOutcome) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<ListenerOutcome> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      listener.events.off('outcome', onOutcome);
      reject(new Error(`no matching outcome from ${listener.durableName} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onOutcome = (outcome: ListenerOutcome) => {
      if (!match(outcome)) return;
      clearTimeout(timer);
      listener.events.off('outcome', onOutcome);
      resolve(outcome);
    };
    listener.events.on('outcome', onOutcome);
  });
}
